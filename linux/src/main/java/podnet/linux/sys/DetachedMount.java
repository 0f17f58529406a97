package podnet.linux.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import podnet.linux.sys.ffm.Libc;

/**
 * A filesystem mounted nowhere (the new mount API: fsopen, fsconfig, fsmount): reachable only
 * through its descriptor, as {@code /proc/self/fd/N}, from any thread of this process, and gone
 * when the descriptor is closed or the process dies — even by SIGKILL. Nothing is added to any
 * mount namespace, so nothing can leak into one.
 */
public final class DetachedMount implements AutoCloseable {
    private static final int FSOPEN_CLOEXEC = 1, FSCONFIG_CMD_CREATE = 6, FSMOUNT_CLOEXEC = 1;
    private static final int MOUNT_ATTR_NOSUID = 0x2, MOUNT_ATTR_NODEV = 0x4, MOUNT_ATTR_NOEXEC = 0x8;

    private static final class FsOpen {
        static final MethodHandle H = Libc.downcall("fsopen", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class FsConfig {
        static final MethodHandle H = Libc.downcall("fsconfig",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    }

    private static final class FsMount {
        static final MethodHandle H = Libc.downcall("fsmount",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private final FileDescriptor mount;

    private DetachedMount(FileDescriptor mount) {
        this.mount = mount;
    }

    /** Mounts a new (or, for single-instance filesystems like tracefs, the) {@code fstype}. */
    public static DetachedMount create(String fstype) {
        MemorySegment st = Libc.errnoState();
        int fs;
        try (Arena a = Arena.ofConfined()) {
            fs = Libc.check("fsopen " + fstype, (int) FsOpen.H.invokeExact(st, a.allocateFrom(fstype), FSOPEN_CLOEXEC), st);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        try (FileDescriptor ctx = FileDescriptor.adopt(fs)) {
            Libc.check("fsconfig " + fstype, (int) FsConfig.H.invokeExact(st, fs, FSCONFIG_CMD_CREATE,
                    MemorySegment.NULL, MemorySegment.NULL, 0), st);
            int m = Libc.check("fsmount " + fstype, (int) FsMount.H.invokeExact(st, fs, FSMOUNT_CLOEXEC,
                    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC), st);
            return new DetachedMount(FileDescriptor.adopt(m));
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** The mount's root as a path this process (any thread) can use. */
    public Path root() {
        return Path.of("/proc/self/fd/" + mount.fd());
    }

    @Override
    public void close() {
        mount.close();
    }
}
