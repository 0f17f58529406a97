package podnet.linux.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import podnet.linux.sys.ffm.Libc;

/**
 * An open file descriptor: open(2), flock(2) and close(2). Closing twice is harmless.
 *
 * <p>Used for namespace files (setns takes a descriptor) and for the IPAM store's lock, which
 * must be a real flock(2) lock: {@code FileChannel.lock} takes fcntl record locks, which do not
 * exclude the reference plugins' flock.
 */
public final class FileDescriptor implements AutoCloseable {
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_EXCL = 0200,
            O_TRUNC = 01000, O_NONBLOCK = 04000, O_CLOEXEC = 02000000, O_DIRECTORY = 0200000;
    public static final int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;

    private static final class Open {
        static final MethodHandle H = Libc.downcall("open",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                Linker.Option.firstVariadicArg(2));
    }

    private static final class OpenAt {
        static final MethodHandle H = Libc.downcall("openat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                Linker.Option.firstVariadicArg(3));
    }

    private static final class Write {
        static final MethodHandle H = Libc.downcall("write",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private static final class Close {
        static final MethodHandle H = Libc.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    private static final class Read {
        static final MethodHandle H = Libc.downcall("read",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private static final class Flock {
        static final MethodHandle H = Libc.downcall("flock",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class Fchmod {
        static final MethodHandle H = Libc.downcall("fchmod",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private final int fd;
    private volatile boolean closed;

    private FileDescriptor(int fd) {
        this.fd = fd;
    }

    /** Adopts a descriptor this process already owns. */
    public static FileDescriptor adopt(int fd) {
        return new FileDescriptor(fd);
    }

    /** open(2) with O_CLOEXEC added. */
    public static FileDescriptor open(Path path, int flags, int mode) {
        MemorySegment st = Libc.errnoState();
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) Open.H.invokeExact(st, arena.allocateFrom(path.toString()),
                    flags | O_CLOEXEC, mode);
            return new FileDescriptor(Libc.check("open " + path, rc, st));
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** openat(2) relative to this descriptor (a directory), with O_CLOEXEC added. */
    public FileDescriptor openAt(String relative, int flags, int mode) {
        MemorySegment st = Libc.errnoState();
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) OpenAt.H.invokeExact(st, fd(), arena.allocateFrom(relative), flags | O_CLOEXEC, mode);
            return new FileDescriptor(Libc.check("openat " + relative, rc, st));
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static FileDescriptor openReadOnly(Path path) {
        return open(path, O_RDONLY, 0);
    }

    public int fd() {
        if (closed) {
            throw new IllegalStateException("descriptor " + fd + " is closed");
        }
        return fd;
    }

    /**
     * read(2) into {@code buffer}, retried on EINTR: the bytes read, 0 at end of file, or -1
     * when a non-blocking descriptor has nothing yet (EAGAIN).
     */
    public int read(MemorySegment buffer) {
        MemorySegment st = Libc.errnoState();
        while (true) {
            try {
                long rc = (long) Read.H.invokeExact(st, fd(), buffer, buffer.byteSize());
                if (rc < 0 && Libc.errno(st) == Errno.EINTR) {
                    continue;
                }
                if (rc < 0 && Libc.errno(st) == Errno.EAGAIN) {
                    return -1;
                }
                return (int) Libc.check("read", rc, st);
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            }
        }
    }

    /** One write(2) of all of {@code bytes} (retried on EINTR); the bytes written. */
    public int write(byte[] bytes) {
        MemorySegment st = Libc.errnoState();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, b, JAVA_BYTE, 0, bytes.length);
            while (true) {
                long rc = (long) Write.H.invokeExact(st, fd(), b, (long) bytes.length);
                if (rc < 0 && Libc.errno(st) == Errno.EINTR) {
                    continue;
                }
                return (int) Libc.check("write", rc, st);
            }
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** flock(2), retried on EINTR. */
    public void flock(int operation) {
        MemorySegment st = Libc.errnoState();
        while (true) {
            try {
                int rc = (int) Flock.H.invokeExact(st, fd(), operation);
                if (rc < 0 && Libc.errno(st) == Errno.EINTR) {
                    continue;
                }
                Libc.check("flock", rc, st);
                return;
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            }
        }
    }

    /**
     * fchmod(2). On a Unix socket before bind(2) it sets the mode the socket file is created
     * with, so the file is never more open than that, not even between bind and a chmod.
     */
    public void chmod(int mode) {
        MemorySegment st = Libc.errnoState();
        try {
            Libc.check("fchmod", (int) Fchmod.H.invokeExact(st, fd(), mode), st);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        close(fd);
    }

    /** close(2) on a raw descriptor; errors other than EBADF are not actionable and ignored. */
    public static void close(int fd) {
        try {
            int ignored = (int) Close.H.invokeExact(Libc.errnoState(), fd);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    @Override
    public String toString() {
        return "fd " + fd;
    }
}
