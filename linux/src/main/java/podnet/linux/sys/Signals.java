package podnet.linux.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import podnet.linux.sys.ffm.Libc;

/** kill(2), on one process or a whole process group (e.g. a container's shell and all it started). */
public final class Signals {
    private Signals() {}

    public static final int SIGKILL = 9, SIGTERM = 15;

    private static final class Kill {
        static final MethodHandle H = Libc.downcall("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    /** Signals process group {@code pgid}; false if it does not exist (yet, or any more). */
    public static boolean killGroup(long pgid, int signal) {
        if (pgid <= 1) {
            throw new IllegalArgumentException("refusing to signal process group " + pgid);
        }
        return kill(-pgid, signal);
    }

    /** Signals one process ({@code pid} > 0) or a group ({@code pid} < -1); false on ESRCH. */
    public static boolean kill(long pid, int signal) {
        if (pid == 0 || pid == -1 || pid == 1) {
            throw new IllegalArgumentException("refusing to signal " + pid);
        }
        try {
            MemorySegment st = Libc.errnoState();
            int rc = (int) Kill.H.invokeExact(st, (int) pid, signal);
            Libc.check("kill -" + signal + " " + pid, rc, st);
            return true;
        } catch (SysException e) {
            if (e.is(Errno.ESRCH)) {
                return false;
            }
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
