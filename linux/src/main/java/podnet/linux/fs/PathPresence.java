package podnet.linux.fs;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import podnet.linux.sys.ffm.Libc;

/**
 * Whether a path names anything, a dangling symbolic link included: one faccessat(2) with
 * AT_SYMLINK_NOFOLLOW. {@code Files.exists(p, NOFOLLOW_LINKS)} answers "no" by throwing and
 * catching two exceptions inside the JDK (stack traces filled), which on a CNI call's paths
 * (a candidate lease, the agent's socket) cost more than the syscall.
 */
public final class PathPresence {
    private PathPresence() {}

    private static final int AT_FDCWD = -100, F_OK = 0, AT_SYMLINK_NOFOLLOW = 0x100;

    private static final class Faccessat {
        static final MethodHandle H = Libc.downcall("faccessat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    }

    /** True if {@code p} exists (not following a final symlink); false when it does not or cannot be looked up. */
    public static boolean exists(Path p) {
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) Faccessat.H.invokeExact(Libc.errnoState(), AT_FDCWD, arena.allocateFrom(p.toString()),
                    F_OK, AT_SYMLINK_NOFOLLOW);
            return rc == 0;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
