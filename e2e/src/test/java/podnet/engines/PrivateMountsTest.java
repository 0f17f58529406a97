package podnet.engines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrivateMountsTest {
    private static final Set<Path> EXISTING = Set.of(Path.of("/"), Path.of("/run"), Path.of("/etc"),
            Path.of("/etc/cni"), Path.of("/etc/cni/net.d"), Path.of("/var"), Path.of("/var/lib"), Path.of("/opt"));

    private static PrivateMounts plan() {
        return new PrivateMounts(EXISTING::contains);
    }

    @Test
    void bindsOverAnExistingDirectory() {
        assertThat(plan().bind(Path.of("/tmp/t/net.d"), Path.of("/etc/cni/net.d")).commands())
                .containsExactly("mount --bind '/tmp/t/net.d' '/etc/cni/net.d'");
    }

    @Test
    void aMissingTargetGetsATmpfsOnItsNearestAncestorNeverAMkdirOnTheRealOne() {
        assertThat(plan().bind(Path.of("/usr/lib/cni"), Path.of("/opt/cni/bin")).commands()).containsExactly(
                "mount -t tmpfs -o mode=755 tmpfs '/opt'",
                "mkdir -p '/opt/cni/bin'",
                "mount --bind '/usr/lib/cni' '/opt/cni/bin'");
    }

    @Test
    void targetsUnderAPrivateTmpfsAreMadeInsideIt() {
        assertThat(plan().tmpfs(Path.of("/run")).bind(Path.of("/tmp/x"), Path.of("/run/containerd")).commands())
                .containsExactly("mount -t tmpfs -o mode=755 tmpfs '/run'", "mkdir -p '/run/containerd'",
                        "mount --bind '/tmp/x' '/run/containerd'");
    }

    @Test
    void refusesToHideTheWholeRoot() {
        assertThatThrownBy(() -> plan().bind(Path.of("/tmp/x"), Path.of("/nonexistent/dir")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only / exists");
        assertThatThrownBy(() -> plan().tmpfs(Path.of("/"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> plan().tmpfs(Path.of("run"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void scriptStopsOnTheFirstFailureAndExecsTheHolder() {
        String script = plan().bind(Path.of("/tmp/it's"), Path.of("/etc/cni/net.d")).script(List.of("sleep", "infinity"));
        assertThat(script).startsWith("set -e\n")
                .contains("mount --bind '/tmp/it'\\''s' '/etc/cni/net.d'\n")
                .endsWith("exec 'sleep' 'infinity'\n");
    }
}
