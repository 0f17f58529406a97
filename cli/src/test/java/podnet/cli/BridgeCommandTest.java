package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.ThrowawayNamespaces;

/**
 * The article's bridge: cni0 in a node namespace with a veth to each of two "pods"; after a
 * ping, brctl-like show and showmacs list both pods' MACs on the right ports.
 */
class BridgeCommandTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("clibr");
    Podnet podnet = new Podnet();
    String node;
    String podA;
    String podB;

    @BeforeEach
    void setUp() {
        Root.assumeProgram("ping");
        node = namespaces.name("node");
        podA = namespaces.name("a");
        podB = namespaces.name("b");
        for (String n : List.of(node, podA, podB)) {
            namespaces.track(n);
            podnet.run("netns", "add", n).ok();
        }
    }

    @Test
    void bridgeShowAndFdbAfterAPing() {
        podnet.run("bridge", "add", "cni0", "-n", node).ok();
        podnet.run("addr", "add", "10.244.2.1/24", "dev", "cni0", "-n", node).ok();
        attach(podA, "vethA", "10.244.2.2/24");
        attach(podB, "vethB", "10.244.2.3/24");

        assertThat(Ip.ping(podA, "10.244.2.3", 2)).as("pod A -> pod B through cni0").isTrue();

        Podnet.Result show = podnet.run("bridge", "show", "-n", node).ok();
        assertThat(show.out()).contains("BRIDGE NAME").contains("BRIDGE ID").contains("STP ENABLED").contains("INTERFACES");
        assertThat(show.out().lines().filter(l -> l.startsWith("cni0")).findFirst().orElseThrow())
                .contains("8000.").contains("no").contains("vethA");
        assertThat(show.out()).contains("vethB");
        Map<String, Object> br = podnet.run("bridge", "show", "-j", "-n", node).ok().jsonList().get(0);
        assertThat(br).containsEntry("bridge", "cni0").containsEntry("stp", false);
        assertThat(br.get("interfaces")).asList().containsExactly("vethA", "vethB");

        String macA = Ip.link(podA, "eth0").get("address").toString();
        String macB = Ip.link(podB, "eth0").get("address").toString();
        List<Map<String, Object>> fdb = podnet.run("bridge", "fdb", "cni0", "-j", "-n", node).ok().jsonList();
        assertThat(fdb).anySatisfy(e -> assertThat(e).containsEntry("port", "vethA")
                .containsEntry("mac", macA).containsEntry("local", false));
        assertThat(fdb).anySatisfy(e -> assertThat(e).containsEntry("port", "vethB")
                .containsEntry("mac", macB).containsEntry("local", false));
        String hostVethA = Ip.link(node, "vethA").get("address").toString();
        assertThat(fdb).anySatisfy(e -> assertThat(e).containsEntry("port", "vethA")
                .containsEntry("mac", hostVethA).containsEntry("local", true));

        Podnet.Result macs = podnet.run("bridge", "fdb", "-n", node).ok();
        assertThat(macs.out()).contains("MAC ADDR").contains("IS LOCAL?").contains("AGEING TIMER");
        assertThat(macs.out().lines().filter(l -> l.contains(macA)).findFirst().orElseThrow())
                .contains("vethA").contains("no");

        assertThat(podnet.run("neigh", "-j", "-n", podA).ok().jsonList())
                .anySatisfy(n -> assertThat(n).containsEntry("dst", "10.244.2.3").containsEntry("lladdr", macB));
    }

    @Test
    void fdbOfSomethingThatIsNotABridgeIsAnError() {
        Podnet.Result r = podnet.run("bridge", "fdb", "lo", "-n", node);
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("lo is not a bridge");
        Podnet.Result missing = podnet.run("bridge", "fdb", "cni9", "-n", node);
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("cni9");
    }

    /** What the CNI bridge plugin does for one pod, as podnet commands. */
    private void attach(String pod, String hostEnd, String cidr) {
        podnet.run("veth", "add", hostEnd, "eth0", "--netns-a", node, "--netns-b", pod).ok();
        podnet.run("link", "set", hostEnd, "master", "cni0", "up", "-n", node).ok();
        podnet.run("addr", "add", cidr, "dev", "eth0", "-n", pod).ok();
        podnet.run("link", "set", "eth0", "up", "-n", pod).ok();
        podnet.run("link", "set", "lo", "up", "-n", pod).ok();
    }
}
