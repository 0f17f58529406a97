package podnet.cni.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.testing.Ip;

/**
 * Through the shim and podnetd, a CNI_NETNS that is no network namespace (another kind of
 * namespace, a plain file, a device) is the spec's code 4 with the reason, and nothing is made
 * in the node: not even the bridge. (The one-shot path: InstalledPluginsTest.)
 */
class CniNetnsTest {
    @RegisterExtension
    static final ThrowawayFaultNode node = new ThrowawayFaultNode("nsf", "10.244.65.");

    @Test
    void aFileThatIsNoNetworkNamespaceIsCodeFourAndChangesNothing(FaultNode n) throws Exception {
        Path plain = Files.writeString(n.dir.resolve("not-a-netns"), "");
        Map<String, String> why = Map.of("/proc/self/ns/mnt", "is a namespace, but not a network namespace",
                "/proc/self/ns/user", "is a namespace, but not a network namespace",
                plain.toString(), "is not a network namespace", "/dev/null", "is not a network namespace");
        for (var e : why.entrySet()) {
            for (String command : new String[] {"ADD", "DEL"}) {
                Map<String, String> env = FaultNode.attachment(command, "nsf-" + command, null);
                env.put("CNI_NETNS", e.getKey());
                FaultNode.Shim r = n.shim(env, n.conf()).valid(command + " with CNI_NETNS=" + e.getKey());
                assertThat(r.code()).as("%s %s: %s", command, e.getKey(), r.out()).isEqualTo(4);
                assertThat(r.out()).contains("CNI_NETNS", e.getValue());
            }
        }
        assertThat(Ip.json(n.node.name(), "link", "show")).as("no bridge, no veth: only lo").hasSize(1);
    }
}
