package podnet.linux.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * SIGINT and SIGTERM as a request to stop, for long-running commands that must flush what they
 * write before they exit.
 *
 * <p>A shell starts background jobs of a script with SIGINT ignored, and the JVM then leaves it
 * ignored (it never installs a handler for a signal it inherited as SIG_IGN), so a backgrounded
 * {@code podnet observe} would only die to SIGKILL. {@link #onStop} puts SIGINT back to its
 * default first, then lets the JVM route both signals to the given action. A second signal
 * while stopping ends the process at once (exit 128+signal), as a user pressing Ctrl-C twice
 * expects.
 */
public final class StopSignals {
    private StopSignals() {}

    public static final int SIGINT = 2, SIGTERM = 15;
    private static final long SIG_IGN = 1;
    /** sizeof(struct sigaction) in glibc on x86-64: handler, 128-byte mask, flags, restorer. */
    private static final int SIGACTION_SIZE = 152;

    private static final class SigAction {
        static final MethodHandle H = Libc.downcall("sigaction",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    /**
     * Runs {@code action} (once, on the JVM's signal thread) on the first SIGINT or SIGTERM;
     * a later one halts the process. Safe to call more than once: the last action wins.
     */
    public static void onStop(Runnable action) {
        AtomicInteger seen = new AtomicInteger();
        for (int sig : new int[] {SIGINT, SIGTERM}) {
            if (isIgnored(sig)) {
                setDefault(sig);
            }
            Signal.handle(new Signal(sig == SIGINT ? "INT" : "TERM"), s -> {
                if (seen.getAndIncrement() == 0) {
                    action.run();
                } else {
                    Runtime.getRuntime().halt(128 + s.getNumber());
                }
            });
        }
    }

    /** Whether {@code sig}'s disposition is SIG_IGN (sigaction with no new action only reads it). */
    public static boolean isIgnored(int sig) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment old = a.allocate(SIGACTION_SIZE, 8);
            call(sig, MemorySegment.NULL, old);
            return old.get(JAVA_LONG, 0) == SIG_IGN;
        }
    }

    private static void setDefault(int sig) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment act = a.allocate(SIGACTION_SIZE, 8); // zeroed: SIG_DFL, empty mask, no flags
            call(sig, act, MemorySegment.NULL);
        }
    }

    private static void call(int sig, MemorySegment act, MemorySegment old) {
        MemorySegment st = Libc.errnoState();
        try {
            int rc = (int) SigAction.H.invokeExact(st, sig, act, old);
            Libc.check("sigaction " + sig, rc, st);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
