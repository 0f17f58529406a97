package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code image import} and {@code cri config} without a containerd: a missing socket is a
 * {@code podnet: …} line with a hint; the config is printed or written. (The import into a real
 * containerd is e2e's ImageImportTest, and CriDemoTest's demo.)
 */
class ImageImportCommandTest {
    @TempDir
    Path dir;

    @Test
    void importWithoutContainerdSaysHowToStartIt() {
        Path sock = dir.resolve("none.sock");
        Podnet.Result r = new Podnet().run("image", "import", "--cri-socket", sock.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("podnet: no CRI socket at " + sock).contains("podnet: hint: start containerd")
                .contains("apt-get install containerd runc");
    }

    @Test
    void criConfigPrintsOrWrites() throws Exception {
        Podnet.Result p = new Podnet().run("cri", "config").ok();
        assertThat(p.out()).contains("sandbox_image = \"localhost/podnet/pause:0.1.0\"");
        Path f = dir.resolve("etc/podnet.toml");
        Podnet.Result w = new Podnet().run("cri", "config", "--private", dir.resolve("ctd").toString(),
                "--cni-bin-dir", "/opt/podnet/bin", "-o", f.toString()).ok();
        assertThat(w.out()).contains("wrote " + f).contains(dir.resolve("ctd/containerd.sock").toString());
        assertThat(Files.readString(f)).contains("bin_dir = \"/opt/podnet/bin\"").contains("root = \"" + dir.resolve("ctd/root"));
        Podnet.Result bad = new Podnet().run("cri", "config", "--sandbox-image", "a b");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("podnet: not an image reference: a b").contains("podnet: hint: ");
    }
}
