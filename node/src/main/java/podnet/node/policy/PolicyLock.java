package podnet.node.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One node's policy changes, one at a time across processes: an exclusive lock on
 * {@code <state>/policies.lock} held from reading the state to the kernel's answer, so two
 * {@code pod run}s or a run and a {@code policy apply} never compute from stale state.
 */
final class PolicyLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private PolicyLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static PolicyLock hold(Path stateDir) {
        Path f = stateDir.resolve("policies.lock");
        try {
            Files.createDirectories(stateDir);
            FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                return new PolicyLock(ch, ch.lock());
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("lock " + f, e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("unlock", e);
        }
    }
}
