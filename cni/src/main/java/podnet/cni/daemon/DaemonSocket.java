package podnet.cni.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import podnet.linux.sys.Errno;
import podnet.linux.sys.FileDescriptor;
import podnet.linux.sys.Poll;
import podnet.linux.sys.SysException;
import podnet.linux.sys.UnixSocket;

/**
 * podnetd's listening socket: handed over by systemd (socket activation: LISTEN_PID is us,
 * LISTEN_FDS ≥ 1, the socket is fd 3), or bound at the path, mode 0600 from the start. A
 * bound socket is owned exclusively: a second podnetd finds the lock {@code PATH.lock} taken,
 * or (a daemon that does not lock) the socket answering, and refuses to start rather than
 * steal it. A stale socket file of a dead daemon is replaced.
 */
final class DaemonSocket implements AutoCloseable {
    static final int LISTEN_FDS_START = 3;

    private final Path path;
    private final UnixSocket listener;
    private final FileDescriptor lock;
    private final boolean activated;
    private volatile boolean unlinked;

    private DaemonSocket(Path path, UnixSocket listener, FileDescriptor lock, boolean activated) {
        this.path = path;
        this.listener = listener;
        this.lock = lock;
        this.activated = activated;
    }

    static DaemonSocket open(Path path, Map<String, String> env) {
        if (isActivated(env)) {
            return new DaemonSocket(path, UnixSocket.adopt(LISTEN_FDS_START), null, true);
        }
        Path lockFile = path.resolveSibling(path.getFileName() + ".lock");
        FileDescriptor lock;
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            lock = FileDescriptor.open(lockFile, FileDescriptor.O_RDWR | FileDescriptor.O_CREAT, 0600);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot open the lock " + lockFile + ": " + e.getMessage(), e);
        }
        try {
            lock.flock(FileDescriptor.LOCK_EX | FileDescriptor.LOCK_NB);
        } catch (SysException e) {
            lock.close();
            if (e.is(Errno.EAGAIN)) {
                throw new IllegalStateException("another podnetd is running on " + path + " (it holds " + lockFile + ")");
            }
            throw e;
        }
        try {
            if (answers(path)) {
                throw new IllegalStateException("another podnetd is serving " + path + " (it answers connections)");
            }
            return new DaemonSocket(path, UnixSocket.listen(path, 128), lock, false);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** systemd's socket activation protocol (sd_listen_fds). */
    static boolean isActivated(Map<String, String> env) {
        String pid = env.get("LISTEN_PID"), fds = env.get("LISTEN_FDS");
        try {
            return pid != null && fds != null && Long.parseLong(pid) == ProcessHandle.current().pid()
                    && Integer.parseInt(fds) >= 1;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean answers(Path path) {
        if (!Files.exists(path)) {
            return false;
        }
        try (UnixSocket probe = UnixSocket.connect(path)) {
            return true;
        } catch (SysException e) {
            return false; // ECONNREFUSED: a dead daemon's file; ENOENT: gone meanwhile
        }
    }

    boolean activated() {
        return activated;
    }

    Path path() {
        return path;
    }

    /** Waits up to {@code millis} for a connection to accept. */
    boolean awaitConnection(int millis) {
        return (Poll.poll(listener.fd(), Poll.POLLIN, millis) & Poll.POLLIN) != 0;
    }

    UnixSocket accept() {
        return listener.accept();
    }

    /**
     * Removes the socket file, so new callers find no daemon (and take the one-shot path)
     * while the connections already queued are still served. Never done to an activated
     * socket: systemd keeps it, and queues calls for the next daemon.
     */
    void unlink() {
        if (activated || unlinked) {
            return;
        }
        unlinked = true;
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // the next start replaces a stale file anyway
        }
    }

    @Override
    public void close() {
        unlink();
        listener.close();
        if (lock != null) {
            lock.close(); // the lock file stays: deleting it would let two daemons lock different files
        }
    }
}
