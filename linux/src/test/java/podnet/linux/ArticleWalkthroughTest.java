package podnet.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;
import podnet.linux.testing.ThrowawayNamespaces;

/**
 * The article's walkthrough with the Java API only: two namespaces joined by a veth pair and a
 * ping across; then a bridge in a third namespace with a veth to each, and a ping through it.
 */
class ArticleWalkthroughTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("walk");

    @BeforeEach
    void setUp() {
        Root.assumeProgram("ping");
    }

    @Test
    void vethPairBetweenNetAAndNetB() {
        Netns netA = namespaces.add("netA");
        Netns netB = namespaces.add("netB");
        String a = TestNetns.ifname("veth0A");
        String b = TestNetns.ifname("veth0B");

        // Create the pair in netA with its peer born directly in netB.
        try (NetlinkHandle inA = NetlinkHandle.open(netA); NetlinkHandle inB = NetlinkHandle.open(netB)) {
            inA.links().addVeth(a, b, netB, 0);
            inA.addresses().add(a, Cidr.parse("192.168.100.1/24"));
            inB.addresses().add(b, Cidr.parse("192.168.100.2/24"));
            inA.links().setUp(a);
            inB.links().setUp(b);
            inA.links().setUp("lo");

            Link fromA = inA.links().require(a);
            assertThat(fromA.isVeth()).isTrue();
            assertThat(fromA.linkNetnsId()).as("peer lives in another netns").isNotNull();
            assertThat(fromA.linkIndex()).isEqualTo(inB.links().require(b).index());
        }

        // ip(8) is the oracle: it sees the same pair, addresses and peers.
        Map<String, Object> ipA = Ip.link(netA.name(), a);
        assertThat(ipA.get("link_netnsid")).isNotNull();
        assertThat(Ip.ping(netA.name(), "192.168.100.2", 2)).as("ping netA -> netB").isTrue();
        assertThat(Ip.ping(netB.name(), "192.168.100.1", 2)).as("ping netB -> netA").isTrue();
    }

    @Test
    void bridgeWithTwoVeths() {
        Netns node = namespaces.add("node");
        Netns netA = namespaces.add("netA");
        Netns netB = namespaces.add("netB");
        String br = TestNetns.ifname("br");
        String hostA = TestNetns.ifname("vethA");
        String hostB = TestNetns.ifname("vethB");

        try (NetlinkHandle onNode = NetlinkHandle.open(node);
                NetlinkHandle inA = NetlinkHandle.open(netA);
                NetlinkHandle inB = NetlinkHandle.open(netB)) {
            onNode.links().addBridge(br, 0, false);
            onNode.links().setUp(br);
            // As the CNI bridge plugin does: the pod end is eth0 inside the pod's netns.
            onNode.links().addVeth(hostA, "eth0", netA, 0);
            onNode.links().addVeth(hostB, "eth0", netB, 0);
            for (String h : new String[] {hostA, hostB}) {
                onNode.links().setMaster(h, br);
                onNode.links().setUp(h);
            }
            inA.addresses().add("eth0", Cidr.parse("10.244.2.2/24"));
            inB.addresses().add("eth0", Cidr.parse("10.244.2.3/24"));
            inA.links().setUp("eth0");
            inB.links().setUp("eth0");

            assertThat(onNode.links().require(hostA).masterIndex()).isEqualTo(onNode.links().require(br).index());
            assertThat(Ip.link(node.name(), hostB).get("master")).isEqualTo(br);

            assertThat(Ip.ping(netA.name(), "10.244.2.3", 2)).as("pod A -> pod B through the bridge").isTrue();

            // The bridge learned both pods' MACs on their ports.
            var macA = inA.links().require("eth0").mac();
            var macB = inB.links().require("eth0").mac();
            var fdb = onNode.fdb().list(br);
            assertThat(fdb).anySatisfy(e -> {
                assertThat(e.mac()).isEqualTo(macA);
                assertThat(e.portIndex()).isEqualTo(onNode.links().require(hostA).index());
                assertThat(e.local()).isFalse();
            });
            assertThat(fdb).anySatisfy(e -> {
                assertThat(e.mac()).isEqualTo(macB);
                assertThat(e.portIndex()).isEqualTo(onNode.links().require(hostB).index());
            });
        }
    }
}
