package podnet.cni.ipam;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.cni.testing.Cni;
import podnet.linux.ns.Netns;
import podnet.linux.ns.NsProcess;

/** Our host-local and the reference's share one store and one flock. */
class ReferenceStoreTest {
    @TempDir
    Path tmp;
    String conf;

    @BeforeEach
    void setUp() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/lib/cni/host-local")));
        conf = """
                {"cniVersion":"1.0.0","name":"shared","type":"host-local",
                 "ipam":{"type":"host-local","dataDir":"%s","subnet":"10.30.0.0/24"}}""".formatted(tmp);
    }

    @Test
    void eitherPluginReadsTheOthersLeases() {
        Cni.Out go = Cni.of("ADD", "go1", "/x", "eth0").reference(Netns.CURRENT, "host-local", conf).ok();
        Cni.Out ours = Cni.of("ADD", "j1", "/x", "eth0").ours(Netns.CURRENT, "host-local", conf).ok();
        assertThat(go.address(0)).isEqualTo("10.30.0.2/24");
        assertThat(ours.address(0)).isEqualTo("10.30.0.3/24"); // continues the reference's round robin
        // ours releases the reference's lease and vice versa
        Cni.of("DEL", "go1", "/x", "eth0").ours(Netns.CURRENT, "host-local", conf).ok();
        Cni.of("DEL", "j1", "/x", "eth0").reference(Netns.CURRENT, "host-local", conf).ok();
        assertThat(tmp.resolve("shared").toFile().list()).containsExactlyInAnyOrder("lock", "last_reserved_ip.0");
        // and refuses a duplicate the other made
        Cni.of("ADD", "go2", "/x", "eth0").reference(Netns.CURRENT, "host-local", conf).ok();
        assertThat(Cni.of("ADD", "go2", "/x", "eth0").ours(Netns.CURRENT, "host-local", conf).msg()).contains("duplicate");
    }

    @Test
    void ourFlockExcludesTheReference() throws Exception {
        try (LeaseStore held = LeaseStore.lock(tmp, "shared")) {
            ProcessBuilder pb = new ProcessBuilder("/usr/lib/cni/host-local");
            pb.environment().putAll(Cni.of("ADD", "go1", "/x", "eth0").env());
            pb.redirectInput(ProcessBuilder.Redirect.PIPE);
            Process p = NsProcess.start(Netns.CURRENT, pb);
            p.getOutputStream().write(conf.getBytes());
            p.getOutputStream().close();
            assertThat(p.waitFor(500, TimeUnit.MILLISECONDS)).as("reference blocked on our flock").isFalse();
            assertThat(tmp.resolve("shared/10.30.0.2")).doesNotExist();
            held.close();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        }
        assertThat(tmp.resolve("shared/10.30.0.2")).exists();
    }

    @Test
    void leaseFilesAreByteForByteTheReferencesAndNeverHalfWritten() throws Exception {
        Cni.of("ADD", "go1", "/x", "eth0").reference(Netns.CURRENT, "host-local", conf).ok();
        Cni.of("ADD", "j1", "/x", "eth0").ours(Netns.CURRENT, "host-local", conf).ok();
        Path go = tmp.resolve("shared/10.30.0.2"), ours = tmp.resolve("shared/10.30.0.3");
        assertThat(Files.readString(ours)).isEqualTo("j1\r\neth0");
        assertThat(Files.readString(go)).isEqualTo("go1\r\neth0");
        assertThat(Files.getPosixFilePermissions(ours)).isEqualTo(Files.getPosixFilePermissions(go));
        assertThat(Files.readString(tmp.resolve("shared/last_reserved_ip.0"))).isEqualTo("10.30.0.3");
        // a crash between writing the temporary file and linking it leaves only that temporary
        // file, never an empty lease; the next call under the lock clears it
        Path crashed = tmp.resolve("shared/" + LeaseStore.TEMP_PREFIX + "123");
        Files.writeString(crashed, "j2\r\neth0");
        Cni.of("ADD", "j3", "/x", "eth0").ours(Netns.CURRENT, "host-local", conf).ok();
        assertThat(crashed).doesNotExist();
        assertThat(tmp.resolve("shared").toFile().list()).allMatch(f -> !f.startsWith("."));
        // the reference does not take our temporary file for a lease either
        Files.writeString(crashed, "go1\r\neth0");
        Cni.of("DEL", "go1", "/x", "eth0").reference(Netns.CURRENT, "host-local", conf).ok();
        assertThat(go).doesNotExist();
    }
}
