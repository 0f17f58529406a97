package podnet.linux.ns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.sys.SysException;
import podnet.linux.testing.ThrowawayNamespaces;

/** Processes born inside a namespace, verified through {@code /proc/<child>/ns/net}. */
class NsProcessTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("nsproc");
    Netns ns;

    @BeforeEach
    void setUp() {
        ns = namespaces.add("a");
        try (NetlinkHandle h = NetlinkHandle.open(ns)) {
            h.links().addIfb("mark0");
        }
    }

    private static long inode(Path p) throws Exception {
        return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
    }

    private static long netnsOf(Process p) {
        return NamespaceTable.inode(Path.of("/proc", Long.toString(p.pid()), "ns", "net"));
    }

    @Test
    void theChildIsBornInTheTargetNetns() throws Exception {
        long callerBefore = NamespaceTable.inode(Path.of("/proc/thread-self/ns/net"));
        Process p = NsProcess.start(ns, new ProcessBuilder("sleep", "30"));
        try {
            assertThat(netnsOf(p)).isEqualTo(inode(ns.path())).isNotEqualTo(callerBefore);
            assertThat(NamespaceTable.inode(Path.of("/proc/thread-self/ns/net")))
                    .as("the caller's thread never moved").isEqualTo(callerBefore);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void theChildSeesTheNamespacesLinks() throws Exception {
        Process p = NsProcess.start(ns, new ProcessBuilder("cat", "/proc/net/dev").redirectErrorStream(true));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        assertThat(out).contains("mark0:").contains("lo:").doesNotContain("eth0:");
    }

    @Test
    void byNamespaceFileList() throws Exception {
        Process p = NsProcess.start(List.of(ns.path()), new ProcessBuilder("sleep", "30"));
        try {
            assertThat(netnsOf(p)).isEqualTo(inode(ns.path()));
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void inTheCurrentNetns() throws Exception {
        Process p = NsProcess.start(Netns.CURRENT, new ProcessBuilder("sleep", "30"));
        try {
            assertThat(netnsOf(p)).isEqualTo(NamespaceTable.inode(Path.of("/proc/thread-self/ns/net")));
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void failuresSayWhat() {
        assertThatThrownBy(() -> NsProcess.start(ns, new ProcessBuilder("/nonexistent/program")))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("/nonexistent/program")
                .hasMessageContaining("in netns " + ns.name());
        assertThatThrownBy(() -> NsProcess.start(Netns.named(namespaces.name("missing")), new ProcessBuilder("true")))
                .isInstanceOf(SysException.class).hasMessageContaining(namespaces.name("missing"))
                .hasMessageContaining("ENOENT");
        assertThatThrownBy(() -> NsProcess.start(Netns.ofPath(Path.of("/proc/self/ns/uts")), new ProcessBuilder("true")))
                .as("a namespace of another type is refused by setns(CLONE_NEWNET)")
                .isInstanceOf(SysException.class).hasMessageContaining("/proc/self/ns/uts").hasMessageContaining("EINVAL");
    }
}
