package podnet.linux.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** readFully's read-ahead: many small items sent at once cost one recv, not one each. */
class UnixSocketTest {
    @TempDir
    Path dir;

    @Test
    void smallItemsSentTogetherAreReadWithOneRecv() {
        ByteArrayOutputStream msg = new ByteArrayOutputStream();
        for (int i = 0; i < 100; i++) {
            msg.write(i);
            msg.writeBytes(("item-" + i).getBytes());
        }
        byte[] all = msg.toByteArray();
        try (UnixSocket listener = UnixSocket.listen(dir.resolve("s.sock"), 1);
                UnixSocket client = UnixSocket.connect(dir.resolve("s.sock"));
                UnixSocket conn = listener.accept()) {
            client.writeFully(all);
            client.shutdown();
            for (int i = 0; i < 100; i++) {
                assertThat(conn.readFully(1)[0]).isEqualTo((byte) i);
                assertThat(new String(conn.readFully(("item-" + i).length()))).isEqualTo("item-" + i);
            }
            assertThat(conn.recvCalls()).isEqualTo(1);
            assertThatThrownBy(() -> conn.readFully(1)).hasMessageContaining("peer closed after 0 of 1 bytes");
        }
    }

    @Test
    void aReadLargerThanTheReadAheadComesWhole() {
        byte[] big = new byte[300_000];
        Arrays.fill(big, (byte) 7);
        big[big.length - 1] = 9;
        try (UnixSocket listener = UnixSocket.listen(dir.resolve("b.sock"), 1);
                UnixSocket client = UnixSocket.connect(dir.resolve("b.sock"));
                UnixSocket conn = listener.accept()) {
            Thread writer = Thread.ofPlatform().start(() -> {
                client.writeFully(new byte[] {1, 2});
                client.writeFully(big);
                client.writeFully(new byte[] {3});
            });
            assertThat(conn.readFully(1)).containsExactly(1);
            assertThat(conn.readFully(1)).containsExactly(2);
            assertThat(conn.readFully(big.length)).isEqualTo(big);
            assertThat(conn.readFully(1)).containsExactly(3);
            writer.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
