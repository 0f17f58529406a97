package podnet.linux.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import podnet.linux.sys.ffm.Libc;

/** poll(2) on a single descriptor. */
public final class Poll {
    private Poll() {}

    public static final short POLLIN = 1, POLLERR = 8, POLLHUP = 0x10, POLLNVAL = 0x20;

    private static final class PollH {
        static final MethodHandle H = Libc.downcall("poll",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }

    private static final ThreadLocal<MemorySegment> POLLFD =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(8, 8));

    /**
     * Waits up to {@code timeoutMillis} for {@code events} on {@code fd}; returns the revents
     * (0 on timeout or EINTR, so callers simply loop and re-check their stop flag).
     */
    public static int poll(int fd, short events, int timeoutMillis) {
        MemorySegment pfd = POLLFD.get();
        pfd.set(JAVA_INT, 0, fd);
        pfd.set(JAVA_SHORT, 4, events);
        pfd.set(JAVA_SHORT, 6, (short) 0);
        MemorySegment st = Libc.errnoState();
        try {
            int rc = (int) PollH.H.invokeExact(st, pfd, 1L, timeoutMillis);
            if (rc < 0 && Libc.errno(st) == Errno.EINTR) {
                return 0;
            }
            Libc.check("poll", rc, st);
            return rc == 0 ? 0 : Short.toUnsignedInt(pfd.get(JAVA_SHORT, 6));
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
