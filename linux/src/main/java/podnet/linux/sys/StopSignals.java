package podnet.linux.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Makes SIGINT stop a long-running command even where it arrived ignored. The JVM runs its
 * shutdown hooks on SIGTERM and SIGINT, but a job started in the background of a
 * non-interactive shell inherits SIGINT as SIG_IGN and the JVM then leaves it ignored:
 * {@code kill -INT} would do nothing. Here the disposition goes back to the default and the
 * JVM's own handling (exit status 130, shutdown hooks) is registered for it.
 */
public final class StopSignals {
    private StopSignals() {}

    private static final int SIGINT = 2;
    private static final long SIG_IGN = 1;

    private static final class Sigaction {
        static final MethodHandle H = Libc.downcall("sigaction",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    /** Whether SIGINT is ignored now (its disposition is SIG_IGN). */
    public static boolean interruptIgnored() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment old = a.allocate(152, 8); // struct sigaction (x86-64/arm64 glibc), sa_handler first
            MemorySegment st = Libc.errnoState();
            int rc = (int) Sigaction.H.invokeExact(st, SIGINT, MemorySegment.NULL, old);
            Libc.check("sigaction SIGINT", rc, st);
            return old.get(JAVA_LONG, 0) == SIG_IGN;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** If SIGINT arrived ignored, makes it stop the JVM like an interactive Ctrl-C does; otherwise nothing. */
    @SuppressWarnings("removal")
    public static void restoreInterrupt() {
        if (!interruptIgnored()) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment act = a.allocate(152, 8); // all zero: SIG_DFL, no flags, empty mask
            MemorySegment st = Libc.errnoState();
            int rc = (int) Sigaction.H.invokeExact(st, SIGINT, act, MemorySegment.NULL);
            Libc.check("sigaction SIGINT SIG_DFL", rc, st);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        // Now that it is no longer ignored, the JVM installs its handler; exit like Ctrl-C (128 + 2).
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> System.exit(130));
    }
}
