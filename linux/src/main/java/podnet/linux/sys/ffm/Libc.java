package podnet.linux.sys.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import podnet.linux.sys.SysException;

/**
 * The C library as seen through FFM: downcall handles that capture errno.
 *
 * <p>Every handle made here takes the errno capture segment as its first argument. Callers keep
 * their handles in lazily initialised holder classes: the linker costs ~30 ms and each handle a
 * few more, and a one-shot CNI plugin must not pay for functions it never calls.
 */
public final class Libc {
    private Libc() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    /** A downcall to {@code name} whose first parameter is the errno capture segment. */
    public static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(options, 0, all, 1, options.length);
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, all);
    }

    /** A plain downcall without errno capture, for functions that cannot fail. */
    public static MethodHandle plainDowncall(String name, FunctionDescriptor fd) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd);
    }

    /** This thread's errno capture segment; pass it as the first argument of a downcall. */
    public static MemorySegment errnoState() {
        return STATE.get();
    }

    /** The errno the last downcall given {@code state} left behind. */
    public static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** Returns {@code rc}, or throws the errno as a {@link SysException} when {@code rc < 0}. */
    public static int check(String call, int rc, MemorySegment state) {
        if (rc < 0) {
            throw new SysException(call, errno(state));
        }
        return rc;
    }

    public static long check(String call, long rc, MemorySegment state) {
        if (rc < 0) {
            throw new SysException(call, errno(state));
        }
        return rc;
    }

    /** Rethrows what {@code invokeExact} threw: unchecked as is, anything else wrapped. */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
