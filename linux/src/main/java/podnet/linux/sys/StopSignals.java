package podnet.linux.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT and SIGTERM as a request to stop, for long-running commands. A shell starts a
 * background job with SIGINT ignored, and the JVM then refuses a handler for it: the
 * disposition is reset to the default first, so {@code kill -INT} works there too. The
 * handler replaces the JVM's shutdown-on-signal: the command stops itself, flushes, and
 * returns its own exit code.
 */
public final class StopSignals {
    private StopSignals() {}

    public static final int SIGINT = 2, SIGTERM = 15;

    private static final class SignalH {
        static final MethodHandle H = Libc.plainDowncall("signal", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
    }

    private static final class SigAction {
        static final MethodHandle H = Libc.downcall("sigaction", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    /** The handlers in place; {@link #close()} puts back what was there before. */
    public static final class Registration implements AutoCloseable {
        private final Signal[] signals;
        private final SignalHandler[] previous;

        private Registration(Signal[] signals, SignalHandler[] previous) {
            this.signals = signals;
            this.previous = previous;
        }

        @Override
        public void close() {
            for (int i = 0; i < signals.length; i++) {
                Signal.handle(signals[i], previous[i]);
            }
        }
    }

    /**
     * Runs {@code onStop} (on a JVM signal thread) for each SIGINT or SIGTERM until the
     * registration is closed (a command run inside a test JVM must give the signals back).
     */
    public static Registration install(Runnable onStop) {
        Signal[] signals = {new Signal("INT"), new Signal("TERM")};
        SignalHandler[] previous = new SignalHandler[signals.length];
        for (int i = 0; i < signals.length; i++) {
            boolean ignored = unignore(signals[i].getNumber());
            SignalHandler old = Signal.handle(signals[i], s -> onStop.run());
            previous[i] = ignored ? SignalHandler.SIG_IGN : old;
        }
        return new Registration(signals, previous);
    }

    /** SIG_IGN (1) becomes SIG_DFL (0), and true is returned; any other disposition is left to the JVM. */
    private static boolean unignore(int signal) {
        MemorySegment st = Libc.errnoState();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment old = a.allocate(256, 8); // struct sigaction (152 bytes on x86-64 glibc); sa_handler first
            Libc.check("sigaction", (int) SigAction.H.invokeExact(st, signal, MemorySegment.NULL, old), st);
            if (old.get(JAVA_LONG, 0) == 1L) {
                MemorySegment previous = (MemorySegment) SignalH.H.invokeExact(signal, MemorySegment.NULL);
                return true;
            }
            return false;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
