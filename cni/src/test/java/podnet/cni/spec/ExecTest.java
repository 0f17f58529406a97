package podnet.cni.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Running a delegated or chained plugin: its output read while it runs, its time bounded. */
class ExecTest {
    @TempDir
    Path dir;

    Path script(String body) throws Exception {
        Path p = dir.resolve("plugin");
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void aHungPluginIsKilledAtTheTimeoutWithWhatItStarted() throws Exception {
        Path marker = dir.resolve("child.pid");
        Path p = script("sleep 60 & echo $! > " + marker + "\nwait");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> Exec.run(p, Map.of(), new byte[0], Duration.ofSeconds(1)))
                .isInstanceOf(CniError.class).hasMessageContaining("did not finish within 1 s");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        long child = Long.parseLong(Files.readString(marker).strip());
        for (int i = 0; i < 100 && ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(20);
        }
        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).as("its child is gone too").isFalse();
    }

    @Test
    void stdoutAndStderrAreReadAtOnceAndStdoutIsBounded() throws Exception {
        // 200 KB to stderr before any stdout: a reader that waited on stdout first would hang here.
        Path p = script("head -c 200000 /dev/zero >&2; cat; exit 3");
        Exec.Output o = Exec.run(p, Map.of(), "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        assertThat(o.exitCode()).isEqualTo(3);
        assertThat(new String(o.stdout(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        Path flood = script("head -c 3000000 /dev/zero");
        assertThatThrownBy(() -> Exec.run(flood, Map.of(), new byte[0])).isInstanceOf(CniError.class)
                .hasMessageContaining("more than " + Limits.MAX_STDIN);
    }
}
