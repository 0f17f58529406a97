package podnet.linux.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import podnet.linux.sys.ffm.SocketCalls;

/**
 * A Unix stream socket on a raw descriptor: listen/accept on a path, blocking reads and writes,
 * and the peer's credentials (SO_PEERCRED), which the JDK's channels do not expose with a pid.
 */
public final class UnixSocket implements AutoCloseable {
    /** struct ucred of the process at the other end, as seen from our pid namespace. */
    public record PeerCredentials(int pid, int uid, int gid) {}

    private static final int SUN_PATH_MAX = 108;

    private final FileDescriptor fd;

    private UnixSocket(int fd) {
        this.fd = FileDescriptor.adopt(fd);
    }

    /**
     * Binds and listens on {@code path} (a stale socket file is replaced), mode 0600 from the
     * moment the file exists (fchmod before bind), whatever the umask.
     */
    public static UnixSocket listen(Path path, int backlog) {
        byte[] p = pathBytes(path);
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("prepare " + path, e);
        }
        UnixSocket s = new UnixSocket(SocketCalls.socket(Sockets.AF_UNIX, Sockets.SOCK_STREAM, 0));
        try (Arena a = Arena.ofConfined()) {
            s.fd.chmod(0600);
            SocketCalls.bind(s.fd.fd(), address(a, p));
            SocketCalls.listen(s.fd.fd(), backlog);
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Connects to the socket at {@code path}; throws (ECONNREFUSED, ENOENT) when nobody listens. */
    public static UnixSocket connect(Path path) {
        byte[] p = pathBytes(path);
        UnixSocket s = new UnixSocket(SocketCalls.socket(Sockets.AF_UNIX, Sockets.SOCK_STREAM, 0));
        try (Arena a = Arena.ofConfined()) {
            SocketCalls.connect(s.fd.fd(), address(a, p));
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** A socket this process was handed (systemd socket activation passes listeners from fd 3 on). */
    public static UnixSocket adopt(int fd) {
        return new UnixSocket(fd);
    }

    private static byte[] pathBytes(Path path) {
        byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
        if (p.length >= SUN_PATH_MAX) {
            throw new IllegalArgumentException("socket path too long: " + path);
        }
        return p;
    }

    private static MemorySegment address(Arena a, byte[] p) {
        MemorySegment addr = a.allocate(2 + SUN_PATH_MAX, 2);
        addr.set(JAVA_SHORT, 0, (short) Sockets.AF_UNIX);
        MemorySegment.copy(p, 0, addr, JAVA_BYTE, 2, p.length);
        return addr;
    }

    /**
     * SO_RCVTIMEO and SO_SNDTIMEO: a read or write that waits longer fails with EAGAIN (0: wait
     * forever).
     */
    public void setTimeouts(int millis) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment tv = a.allocate(16, 8); // struct timeval
            tv.set(JAVA_LONG, 0, millis / 1000);
            tv.set(JAVA_LONG, 8, (millis % 1000) * 1000L);
            SocketCalls.setsockopt(fd.fd(), Sockets.SOL_SOCKET, Sockets.SO_RCVTIMEO, tv);
            SocketCalls.setsockopt(fd.fd(), Sockets.SOL_SOCKET, Sockets.SO_SNDTIMEO, tv);
        }
    }

    /**
     * A pidfd of the peer as it was when it connected (SO_PEERPIDFD, Linux 6.5+): unlike the
     * pid of {@link #peerCredentials()}, it can never name a later process that reused the pid.
     * Null when this kernel does not have the option.
     */
    public FileDescriptor peerPidfd() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            SocketCalls.getsockopt(fd.fd(), Sockets.SOL_SOCKET, Sockets.SO_PEERPIDFD, v, a.allocate(JAVA_INT));
            return FileDescriptor.adopt(v.get(JAVA_INT, 0));
        } catch (SysException e) {
            if (e.errno() == ENOPROTOOPT) {
                return null;
            }
            throw e;
        }
    }

    private static final int ENOPROTOOPT = 92;

    /** Blocks until a client connects. */
    public UnixSocket accept() {
        return new UnixSocket(SocketCalls.accept(fd.fd()));
    }

    public PeerCredentials peerCredentials() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cred = a.allocate(12, 4);
            SocketCalls.getsockopt(fd.fd(), Sockets.SOL_SOCKET, Sockets.SO_PEERCRED, cred, a.allocate(JAVA_INT));
            return new PeerCredentials(cred.get(JAVA_INT, 0), cred.get(JAVA_INT, 4), cred.get(JAVA_INT, 8));
        }
    }

    /** What one recv may take beyond the bytes asked for: the small items of a request come from memory. */
    private static final int READ_AHEAD = 64 << 10;
    /** The smallest buffer a read that misses allocates: a shim's whole request (env + config) fits. */
    private static final int MIN_READ = 16 << 10;
    private byte[] ahead = new byte[0];
    private int aheadPos;
    private int recvCalls;

    /**
     * Reads exactly {@code n} bytes; throws on EOF. Reads ahead (each recv takes what is there,
     * up to 64 KiB), so a request made of many small items costs a recv or two, not one recv
     * (and one zeroed native buffer) per item.
     */
    public byte[] readFully(int n) {
        byte[] out = new byte[n];
        int got = Math.min(n, ahead.length - aheadPos);
        System.arraycopy(ahead, aheadPos, out, 0, got);
        aheadPos += got;
        if (got == n) {
            return out;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.min(READ_AHEAD, Math.max(MIN_READ, n - got)));
            while (got < n) {
                long r = SocketCalls.recvfrom(fd.fd(), buf, 0);
                recvCalls++;
                if (r == 0) {
                    throw new UncheckedIOException(new java.io.EOFException("peer closed after " + got + " of " + n + " bytes"));
                }
                int use = (int) Math.min(r, n - got);
                MemorySegment.copy(buf, JAVA_BYTE, 0, out, got, use);
                got += use;
                if (r > use) {
                    ahead = buf.asSlice(use, r - use).toArray(JAVA_BYTE);
                    aheadPos = 0;
                }
            }
        }
        return out;
    }

    /** How many recv calls {@link #readFully} made so far (tests: read-ahead works). */
    int recvCalls() {
        return recvCalls;
    }

    public void writeFully(byte[] data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, JAVA_BYTE, 0, data.length);
            long sent = 0;
            while (sent < data.length) {
                sent += SocketCalls.sendto(fd.fd(), buf.asSlice(sent), data.length - sent,
                        MSG_NOSIGNAL, MemorySegment.NULL);
            }
        }
    }

    private static final int MSG_NOSIGNAL = 0x4000;

    /** Wakes threads blocked in accept or read on this socket, without releasing it yet. */
    public void shutdown() {
        try {
            SocketCalls.shutdown(fd.fd(), Sockets.SHUT_RDWR);
        } catch (SysException e) {
            // ENOTCONN on a listening socket still wakes accept; nothing else to do
        }
    }

    @Override
    public void close() {
        fd.close();
    }

    public int fd() {
        return fd.fd();
    }
}
