package podnet.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.ThrowawayNamespaces;

/** The bridge MAC table after a ping between two pods, against {@code bridge -j fdb show}. */
class FdbTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("fdb");
    String node;
    NetlinkHandle onNode, inA, inB;

    @BeforeEach
    void setUp() {
        Netns nodeNs = namespaces.add("node");
        Netns nsA = namespaces.add("a");
        Netns nsB = namespaces.add("b");
        node = nodeNs.name();
        onNode = NetlinkHandle.open(nodeNs);
        inA = NetlinkHandle.open(nsA);
        inB = NetlinkHandle.open(nsB);
        onNode.links().addBridge("br0", 0, false);
        onNode.links().setUp("br0");
        onNode.links().addVeth("hostA", "eth0", nsA, 0);
        onNode.links().addVeth("hostB", "eth0", nsB, 0);
        for (String h : List.of("hostA", "hostB")) {
            onNode.links().setMaster(h, "br0");
            onNode.links().setUp(h);
        }
        inA.addresses().add("eth0", Cidr.parse("10.244.9.2/24"));
        inB.addresses().add("eth0", Cidr.parse("10.244.9.3/24"));
        inA.links().setUp("eth0");
        inB.links().setUp("eth0");
    }

    @AfterEach
    void tearDown() {
        for (NetlinkHandle h : new NetlinkHandle[] {onNode, inA, inB}) {
            if (h != null) {
                h.close();
            }
        }
    }

    @Test
    void learnedMacsSitOnTheirPortsAndLocalOnesArePermanent() {
        Root.assumeProgram("ping");
        Root.assumeProgram("bridge");
        assertThat(Ip.ping(namespaces.name("a"), "10.244.9.3", 1)).isTrue();
        MacAddress podA = inA.links().require("eth0").mac();
        MacAddress podB = inB.links().require("eth0").mac();
        Link hostA = onNode.links().require("hostA");
        Link hostB = onNode.links().require("hostB");
        int br = onNode.links().require("br0").index();

        List<FdbEntry> fdb = onNode.fdb().list("br0");
        assertThat(fdb).allSatisfy(e -> assertThat(e.masterIndex()).isEqualTo(br));
        assertThat(fdb).filteredOn(e -> e.mac().equals(podA)).singleElement().satisfies(e -> {
            assertThat(e.portIndex()).isEqualTo(hostA.index());
            assertThat(e.local()).isFalse();
            assertThat(e.ageingCentis()).isLessThan(3000);
        });
        assertThat(fdb).filteredOn(e -> e.mac().equals(podB)).singleElement()
                .satisfies(e -> assertThat(e.portIndex()).isEqualTo(hostB.index()));
        assertThat(fdb).filteredOn(e -> e.mac().equals(hostA.mac())).singleElement().satisfies(e -> {
            assertThat(e.local()).isTrue();
            assertThat(e.portIndex()).isEqualTo(hostA.index());
        });

        // bridge(8) reports the same (mac, port, permanent) for every entry with "master br0".
        List<Map<String, Object>> theirs = Ip.bridgeJson(node, "fdb", "show", "br", "br0");
        List<String> expected = theirs.stream().filter(m -> "br0".equals(m.get("master")))
                .map(m -> m.get("mac") + " " + m.get("ifname") + " " + "permanent".equals(m.get("state"))).toList();
        List<String> ours = fdb.stream().map(e -> e.mac() + " "
                + onNode.links().require(e.portIndex()).name() + " " + e.local()).toList();
        assertThat(ours).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(onNode.fdb().list()).extracting(e -> e.mac() + " " + e.portIndex())
                .as("the whole table holds the bridge's").containsAll(fdb.stream().map(e -> e.mac() + " " + e.portIndex()).toList());
    }
}
