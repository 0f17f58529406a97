package podnet.node.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The containerd config podnet writes: CRI's sandbox_image, the CNI dirs, and a private instance's paths. */
class ContainerdConfigTest {
    @Test
    void dropInHasTheWholeCriSectionAndNothingElse() {
        String t = ContainerdConfig.DEFAULT.toml();
        assertThat(t).contains("version = 2\n")
                .contains("[plugins.\"io.containerd.grpc.v1.cri\"]\n  sandbox_image = \"localhost/podnet/pause:0.1.0\"\n")
                .contains("    bin_dir = \"/opt/cni/bin\"\n    conf_dir = \"/etc/cni/net.d\"\n")
                .doesNotContain("root =").doesNotContain("[grpc]").doesNotContain("restrict_oom_score_adj");
    }

    @Test
    void privateInstanceKeepsEverythingUnderItsDirectory() {
        Path dir = Path.of("/run/x/containerd");
        String t = new ContainerdConfig("localhost/p:1", Path.of("/b"), Path.of("/c"), dir).toml();
        assertThat(t).contains("root = \"/run/x/containerd/root\"\n").contains("state = \"/run/x/containerd/state\"\n")
                .contains("[grpc]\n  address = \"/run/x/containerd/containerd.sock\"\n")
                .contains("netns_mounts_under_state_dir = true").contains("Root = \"/run/x/containerd/runc\"")
                .contains("sandbox_image = \"localhost/p:1\"").contains("bin_dir = \"/b\"");
        assertThat(ContainerdConfig.socket(dir)).isEqualTo(Path.of("/run/x/containerd/containerd.sock"));
    }

    @Test
    void refusesWhatTomlCannotHold() {
        assertThatThrownBy(() -> new ContainerdConfig("a\"b", null, null, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an image reference");
        assertThatThrownBy(() -> new ContainerdConfig(null, Path.of("/a\"b"), null, null).toml())
                .isInstanceOf(IllegalArgumentException.class);
    }
}
