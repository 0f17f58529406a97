package podnet.linux.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * pidfds (Linux 5.3+): a descriptor that names one process for as long as it is held, whatever
 * pid the kernel hands out later. {@code setns(pidfd, CLONE_NEWNET | CLONE_NEWNS)} joins that
 * process's namespaces, or fails with ESRCH once it has exited.
 */
public final class Pidfd {
    private Pidfd() {}

    private static final class Open {
        static final MethodHandle H = Libc.downcall("pidfd_open", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class SendSignal {
        static final MethodHandle H = Libc.downcall("pidfd_send_signal",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    /** pidfd_open(2). */
    public static FileDescriptor open(long pid) {
        MemorySegment st = Libc.errnoState();
        try {
            int rc = (int) Open.H.invokeExact(st, (int) pid, 0);
            return FileDescriptor.adopt(Libc.check("pidfd_open " + pid, rc, st));
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Whether the process still runs (signal 0 through the pidfd: no pid reuse can fool it). */
    public static boolean alive(FileDescriptor pidfd) {
        MemorySegment st = Libc.errnoState();
        try {
            int rc = (int) SendSignal.H.invokeExact(st, pidfd.fd(), 0, MemorySegment.NULL, 0);
            if (rc == 0) {
                return true;
            }
            int errno = Libc.errno(st);
            if (errno == Errno.ESRCH) {
                return false;
            }
            throw new SysException("pidfd_send_signal", errno);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
