package podnet.linux.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pidfds and the socket calls podnetd uses to know its caller and guard its socket. */
class PidfdTest {
    @TempDir
    Path dir;

    static long pidOf(FileDescriptor pidfd) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + pidfd.fd()))) {
            if (line.startsWith("Pid:")) {
                return Long.parseLong(line.substring(4).strip());
            }
        }
        throw new AssertionError("no Pid: in fdinfo");
    }

    @Test
    void aPidfdTellsWhenItsProcessIsGone() throws Exception {
        Process p = new ProcessBuilder("sleep", "30").start();
        try (FileDescriptor fd = Pidfd.open(p.pid())) {
            assertThat(pidOf(fd)).isEqualTo(p.pid());
            assertThat(Pidfd.alive(fd)).isTrue();
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            assertThat(Pidfd.alive(fd)).isFalse();
        }
    }

    @Test
    void theSocketNamesItsPeerByPidfdAndIsPrivateFromTheStart() throws Exception {
        Path path = dir.resolve("s.sock");
        try (UnixSocket listener = UnixSocket.listen(path, 4)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-------");
            try (UnixSocket client = UnixSocket.connect(path); UnixSocket conn = listener.accept()) {
                FileDescriptor peer = conn.peerPidfd();
                if (peer != null) { // Linux 6.5+; this machine's 6.18 has it
                    try (peer) {
                        assertThat(pidOf(peer)).isEqualTo(ProcessHandle.current().pid());
                    }
                }
                assertThat(conn.peerCredentials().pid()).isEqualTo((int) ProcessHandle.current().pid());
                client.writeFully(new byte[] {1, 2, 3});
                assertThat(conn.readFully(3)).containsExactly(1, 2, 3);
            }
        }
    }

    @Test
    void connectToNobodyIsRefused() {
        Path path = dir.resolve("dead.sock");
        UnixSocket.listen(path, 1).close();
        try {
            UnixSocket.connect(path).close();
            throw new AssertionError("connected to a closed socket");
        } catch (SysException e) {
            assertThat(e.is(Errno.ECONNREFUSED)).isTrue();
        }
    }
}
