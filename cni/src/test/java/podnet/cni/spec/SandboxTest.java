package podnet.cni.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.ns.Netns;
import podnet.linux.testing.ThrowawayNamespaces;

/** CNI_NETNS must name a network namespace other than the plugin's own: anything else is code 4. */
class SandboxTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("sbx");
    @TempDir
    Path dir;

    static void refused(String path, String why) {
        assertThatThrownBy(() -> Sandbox.require(path)).isInstanceOf(CniError.class)
                .satisfies(e -> assertThat(((CniError) e).code()).as(path).isEqualTo(CniError.INVALID_ENVIRONMENT))
                .hasMessageContaining("CNI_NETNS").hasMessageContaining(path).hasMessageContaining(why);
    }

    @Test
    void aNetworkNamespaceIsTaken() {
        Netns pod = namespaces.add("pod");
        assertThat(Sandbox.require(pod.path().toString()).path()).isEqualTo(pod.path());
        assertThat(Sandbox.ifExists(pod.path().toString())).isNotNull();
    }

    @Test
    void anotherKindOfNamespaceIsCodeFour() {
        for (String kind : new String[] {"mnt", "user", "pid", "uts", "ipc", "cgroup"}) {
            refused("/proc/self/ns/" + kind, "is a namespace, but not a network namespace");
        }
        // DEL too: a netns that exists but is no netns is not "already gone"
        assertThatThrownBy(() -> Sandbox.ifExists("/proc/self/ns/mnt")).isInstanceOf(CniError.class)
                .hasMessageContaining("not a network namespace");
    }

    @Test
    void aFileThatIsNoNamespaceIsCodeFour() throws Exception {
        refused(Files.writeString(dir.resolve("netns"), "").toString(), "is not a network namespace");
        refused("/dev/null", "is not a network namespace");
        refused(dir.toString(), "is not a network namespace");
        refused("/run/netns/" + namespaces.name("missing"), "no such file");
        refused(Sandbox.SELF.toString(), "the plugin's own network namespace");
        assertThat(Sandbox.ifExists("/run/netns/" + namespaces.name("missing"))).as("DEL: already gone").isNull();
    }
}
