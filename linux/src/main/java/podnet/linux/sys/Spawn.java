package podnet.linux.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import podnet.linux.sys.ffm.Libc;

/**
 * Runs a program the way a container runtime runs a CNI plugin: posix_spawn(3) from the calling
 * thread, so the child is born in that thread's namespaces; stdin from a byte array, stdout
 * collected, stderr discarded; waited for. Much lighter than {@link ProcessBuilder} (no helper
 * program exec'd first, no reaper thread), so a benchmark's harness adds little to the plugin
 * calls it times: close to what Go's os/exec costs containerd.
 */
public final class Spawn {
    private Spawn() {}

    /** The exit code (128 + signal when killed) and everything written to stdout. */
    public record Result(int exitCode, byte[] stdout) {}

    private static final int O_WRONLY = 1, EPIPE = 32;
    /** A pipe always buffers at least one 4 KiB page: input that small is written inline. */
    private static final int INLINE_STDIN = 4096;
    /** glibc's posix_spawn_file_actions_t is 80 bytes on 64-bit; room to spare. */
    private static final int FILE_ACTIONS_SIZE = 256;

    private static final class H {
        static final MethodHandle PIPE2 = Libc.downcall("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle FA_INIT = Libc.plainDowncall("posix_spawn_file_actions_init",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle FA_DESTROY = Libc.plainDowncall("posix_spawn_file_actions_destroy",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MethodHandle FA_DUP2 = Libc.plainDowncall("posix_spawn_file_actions_adddup2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        static final MethodHandle FA_OPEN = Libc.plainDowncall("posix_spawn_file_actions_addopen",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        static final MethodHandle SPAWN = Libc.plainDowncall("posix_spawn",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        static final MethodHandle READ = Libc.downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
        static final MethodHandle WRITE = Libc.downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
        static final MethodHandle WAITPID = Libc.downcall("waitpid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    /**
     * Runs {@code program} with {@code args} (argv[1..]) and exactly {@code env}, feeds it
     * {@code stdin} and waits for it to exit. A program that exits without reading its stdin is
     * fine (its stdout says why).
     */
    public static Result run(Path program, List<String> args, Map<String, String> env, byte[] stdin) {
        try (Arena a = Arena.ofConfined()) {
            int[] in = pipe(a), out = pipe(a);
            int pid;
            MemorySegment actions = a.allocate(FILE_ACTIONS_SIZE, 16);
            check("posix_spawn_file_actions_init", (int) H.FA_INIT.invokeExact(actions));
            try {
                check("posix_spawn_file_actions_adddup2", (int) H.FA_DUP2.invokeExact(actions, in[0], 0));
                check("posix_spawn_file_actions_adddup2", (int) H.FA_DUP2.invokeExact(actions, out[1], 1));
                check("posix_spawn_file_actions_addopen", (int) H.FA_OPEN.invokeExact(actions, 2,
                        a.allocateFrom("/dev/null"), O_WRONLY, 0));
                MemorySegment pidOut = a.allocate(JAVA_INT);
                String path = program.toString();
                MemorySegment argv = strings(a, prepend(path, args));
                MemorySegment envp = strings(a, env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
                int rc = (int) H.SPAWN.invokeExact(pidOut, a.allocateFrom(path), actions, MemorySegment.NULL, argv, envp);
                if (rc != 0) {
                    closeAll(in, out);
                    throw new SysException("posix_spawn " + path, rc);
                }
                pid = pidOut.get(JAVA_INT, 0);
            } finally {
                int ignored = (int) H.FA_DESTROY.invokeExact(actions);
            }
            FileDescriptor.close(in[0]);
            FileDescriptor.close(out[1]);
            Thread writer = null;
            if (stdin.length <= INLINE_STDIN) {
                feed(in[1], stdin); // fits the pipe's buffer: never blocks
            } else {
                // The child may write before it has read everything: feed it from another thread.
                writer = Thread.ofPlatform().name("spawn-stdin").start(() -> feed(in[1], stdin));
            }
            byte[] stdout;
            try {
                stdout = readAll(a, out[0]);
            } finally {
                FileDescriptor.close(out[0]);
                if (writer != null) {
                    writer.join();
                }
            }
            return new Result(waitFor(a, pid), stdout);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    private static List<String> prepend(String first, List<String> rest) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(first), rest.stream()).toList();
    }

    private static int[] pipe(Arena a) throws Throwable {
        MemorySegment fds = a.allocate(JAVA_INT, 2);
        MemorySegment st = Libc.errnoState();
        Libc.check("pipe2", (int) H.PIPE2.invokeExact(st, fds, FileDescriptor.O_CLOEXEC), st);
        return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
    }

    private static MemorySegment strings(Arena a, List<String> items) {
        MemorySegment array = a.allocate(ADDRESS, items.size() + 1);
        for (int i = 0; i < items.size(); i++) {
            array.setAtIndex(ADDRESS, i, a.allocateFrom(items.get(i)));
        }
        array.setAtIndex(ADDRESS, items.size(), MemorySegment.NULL);
        return array;
    }

    /** Writes {@code data} to the child's stdin and closes it. */
    private static void feed(int fd, byte[] data) {
        try (Arena a = Arena.ofConfined()) {
            writeAll(a, fd, data);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        } finally {
            FileDescriptor.close(fd);
        }
    }

    /** Writes all of {@code data}; stops quietly when the child closed its end (EPIPE). */
    private static void writeAll(Arena a, int fd, byte[] data) throws Throwable {
        if (data.length == 0) {
            return;
        }
        MemorySegment buf = a.allocate(data.length);
        MemorySegment.copy(data, 0, buf, JAVA_BYTE, 0, data.length);
        MemorySegment st = Libc.errnoState();
        long done = 0;
        while (done < data.length) {
            long n = (long) H.WRITE.invokeExact(st, fd, buf.asSlice(done), data.length - done);
            if (n < 0) {
                int errno = Libc.errno(st);
                if (errno == Errno.EINTR) {
                    continue;
                }
                if (errno == EPIPE) {
                    return;
                }
                throw new SysException("write to child stdin", errno);
            }
            done += n;
        }
    }

    private static byte[] readAll(Arena a, int fd) throws Throwable {
        MemorySegment buf = a.allocate(1 << 16);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MemorySegment st = Libc.errnoState();
        while (true) {
            long n = (long) H.READ.invokeExact(st, fd, buf, buf.byteSize());
            if (n < 0) {
                if (Libc.errno(st) == Errno.EINTR) {
                    continue;
                }
                throw new SysException("read child stdout", Libc.errno(st));
            }
            if (n == 0) {
                return out.toByteArray();
            }
            out.write(buf.asSlice(0, n).toArray(JAVA_BYTE));
        }
    }

    private static int waitFor(Arena a, int pid) throws Throwable {
        MemorySegment status = a.allocate(JAVA_INT);
        MemorySegment st = Libc.errnoState();
        while (true) {
            int rc = (int) H.WAITPID.invokeExact(st, pid, status, 0);
            if (rc < 0 && Libc.errno(st) == Errno.EINTR) {
                continue;
            }
            Libc.check("waitpid " + pid, rc, st);
            int s = status.get(JAVA_INT, 0);
            return (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f);
        }
    }

    private static void check(String call, int rc) {
        if (rc != 0) {
            throw new SysException(call, rc);
        }
    }

    private static void closeAll(int[]... pairs) {
        for (int[] p : pairs) {
            FileDescriptor.close(p[0]);
            FileDescriptor.close(p[1]);
        }
    }
}
