package podnet.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;
import podnet.linux.testing.Ip;
import podnet.linux.testing.ThrowawayNamespaces;

/** Every link operation in throwaway namespaces, checked against {@code ip -d -j link}. */
class LinksTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("links");
    Netns nsA, nsB;
    String a, b;
    NetlinkHandle inA, inB;

    @BeforeEach
    void setUp() {
        nsA = namespaces.add("a");
        nsB = namespaces.add("b");
        a = nsA.name();
        b = nsB.name();
        inA = NetlinkHandle.open(nsA);
        inB = NetlinkHandle.open(nsB);
    }

    @AfterEach
    void tearDown() {
        if (inA != null) {
            inA.close();
            inB.close();
        }
    }

    private Map<String, Object> ip(String netns, String dev) {
        return Ip.link(netns, dev);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> m, String... path) {
        Map<String, Object> cur = m;
        for (String p : path) {
            cur = (Map<String, Object>) cur.get(p);
        }
        return cur;
    }

    private static int num(Object o) {
        return ((Number) o).intValue();
    }

    @Test
    void listAndGetAgreeWithIp() {
        inA.links().addVeth("v0", "v1", nsA, 0);
        inA.links().addBridge("br0", 0, false);
        List<Link> ours = inA.links().list();
        List<Map<String, Object>> theirs = Ip.json(a, "link", "show");
        assertThat(ours).extracting(Link::name)
                .containsExactlyElementsOf(theirs.stream().map(l -> (String) l.get("ifname")).toList());
        for (Map<String, Object> l : theirs) {
            Link link = inA.links().require((String) l.get("ifname"));
            assertThat(link.index()).isEqualTo(num(l.get("ifindex")));
            assertThat(link.mtu()).isEqualTo(num(l.get("mtu")));
            assertThat(link.mac()).hasToString((String) l.get("address"));
            assertThat(link.operStateName()).isEqualTo(l.get("operstate"));
            assertThat(inA.links().get(link.index())).contains(link);
        }
        assertThat(inA.links().get("nosuch0")).isEmpty();
        assertThat(inA.links().get(99999)).isEmpty();
    }

    @Test
    void requireOfAMissingLinkSaysWhichLinkAndWhichNetns() {
        assertThatThrownBy(() -> inA.links().require("nosuch0"))
                .isInstanceOf(NetlinkException.class)
                .hasMessageContaining("nosuch0").hasMessageContaining(a).hasMessageContaining("ENODEV")
                .satisfies(e -> assertThat(((NetlinkException) e).is(Errno.ENODEV)).isTrue());
        assertThatThrownBy(() -> inA.links().setUp("nosuch0")).hasMessageContaining("nosuch0").hasMessageContaining(a);
    }

    @Test
    void vethWithItsPeerBornInAnotherNetns() {
        Link v = inA.links().addVeth("veth0", "eth0", nsB, 1400);
        assertThat(inA.links().get("eth0")).as("the peer never appears here").isEmpty();
        Link peer = inB.links().require("eth0");
        assertThat(v.isVeth()).isTrue();
        assertThat(v.linkIndex()).isEqualTo(peer.index());
        assertThat(peer.linkIndex()).isEqualTo(v.index());
        assertThat(v.linkNetnsId()).isNotNull();
        assertThat(v.mtu()).isEqualTo(1400);
        assertThat(peer.mtu()).isEqualTo(1400);

        Map<String, Object> theirs = ip(a, "veth0");
        assertThat(map(theirs, "linkinfo").get("info_kind")).isEqualTo("veth");
        assertThat(num(theirs.get("link_index"))).isEqualTo(peer.index());
        assertThat(num(theirs.get("link_netnsid"))).isEqualTo(v.linkNetnsId());
        assertThat(num(ip(b, "eth0").get("mtu"))).isEqualTo(1400);
    }

    @Test
    void aVethWhosePeerNameIsTakenThereChangesNothing() {
        inB.links().addIfb("eth0");
        assertThatThrownBy(() -> inA.links().addVeth("veth0", "eth0", nsB, 0))
                .isInstanceOf(NetlinkException.class)
                .hasMessageContaining("add veth veth0 (peer eth0 in netns " + b + ") in netns " + a)
                .hasMessageContaining("EEXIST");
        assertThat(inA.links().get("veth0")).isEmpty();
        assertThat(inB.links().require("eth0").kind()).isEqualTo("ifb");
        assertThatThrownBy(() -> inA.links().addVxlan("vx0", 1, 4789, "nosuch0", null))
                .hasMessageContaining("nosuch0").hasMessageContaining(a);
        assertThat(inA.links().list()).extracting(Link::name).containsExactly("lo");
    }

    @Test
    void currentMeansTheCallersNetnsNotTheHandles() {
        // Like the CNI bridge plugin: from the "host" (here a third throwaway netns, never the
        // root one), a handle on the pod's netns creates eth0 there with its peer beside the caller.
        Netns host = namespaces.add("host");
        host.run(() -> {
            try (NetlinkHandle inPod = NetlinkHandle.open(nsA)) {
                inPod.links().addVeth("eth0", "host0", Netns.CURRENT, 0);
                inPod.links().addIfb("spare0");
                inPod.links().moveTo("spare0", Netns.CURRENT);
            }
        });
        assertThat(inA.links().list()).extracting(Link::name).containsExactlyInAnyOrder("lo", "eth0");
        assertThat(Ip.json(host.name(), "link", "show")).extracting(l -> l.get("ifname"))
                .containsExactlyInAnyOrder("lo", "host0", "spare0");
    }

    @Test
    void vethInOneNetnsHasNoNetnsId() {
        Link v = inA.links().addVeth("x0", "x1", nsA, 0);
        assertThat(v.linkNetnsId()).isNull();
        assertThat(v.linkIndex()).isEqualTo(inA.links().require("x1").index());
        assertThat(ip(a, "x0")).doesNotContainKey("link_netnsid");
    }

    @Test
    void bridge() {
        Link br = inA.links().addBridge("br0", 1450, false);
        assertThat(br.isBridge()).isTrue();
        assertThat(br.bridge().vlanFiltering()).isFalse();
        assertThat(br.bridge().stp()).isFalse();
        assertThat(br.mtu()).isEqualTo(1450);
        Map<String, Object> data = map(ip(a, "br0"), "linkinfo", "info_data");
        assertThat(map(ip(a, "br0"), "linkinfo").get("info_kind")).isEqualTo("bridge");
        assertThat(num(data.get("ageing_time"))).isEqualTo(br.bridge().ageingTimeCentis());
        assertThat(num(data.get("vlan_filtering"))).isZero();
    }

    @Test
    void vlanFilteringBridgeOrACleanRefusal() {
        // This machine kind's kernel lacks CONFIG_BRIDGE_VLAN_FILTERING: then EOPNOTSUPP, no bridge.
        try {
            Link vf = inA.links().addBridge("br1", 0, true);
            assertThat(vf.bridge().vlanFiltering()).isTrue();
            assertThat(num(map(ip(a, "br1"), "linkinfo", "info_data").get("vlan_filtering"))).isEqualTo(1);
        } catch (NetlinkException e) {
            assertThat(e.errnoName()).isEqualTo("EOPNOTSUPP");
            assertThat(e).hasMessageContaining("add bridge br1").hasMessageContaining(a);
            assertThat(inA.links().get("br1")).isEmpty();
        }
    }

    @Test
    void vxlanOverAParentLink() {
        inA.links().addVeth("under0", "under1", nsA, 0);
        Link vx = inA.links().addVxlan("vx42", 42, 4789, "under0", Cidr.parseAddress("10.9.0.1"));
        assertThat(vx.kind()).isEqualTo("vxlan");
        Map<String, Object> data = map(ip(a, "vx42"), "linkinfo", "info_data");
        assertThat(num(data.get("id"))).isEqualTo(42);
        assertThat(num(data.get("port"))).isEqualTo(4789);
        assertThat(data.get("link")).isEqualTo("under0");
        assertThat(data.get("local")).isEqualTo("10.9.0.1");
    }

    @Test
    void ifbAndAnUnknownKind() {
        assertThat(inA.links().addIfb("spare0").kind()).isEqualTo("ifb");
        assertThat(map(ip(a, "spare0"), "linkinfo").get("info_kind")).isEqualTo("ifb");
        assertThatThrownBy(() -> inA.links().add("odd0", "nosuchkind", 0, null))
                .isInstanceOf(NetlinkException.class)
                .hasMessageContaining("add nosuchkind odd0").hasMessageContaining(a)
                .hasMessageContaining("Unknown device type");
        assertThat(inA.links().get("odd0")).isEmpty();
    }

    @Test
    void addingANameTwiceIsEexistAndLeavesTheFirst() {
        Link first = inA.links().addIfb("dup0");
        assertThatThrownBy(() -> inA.links().addBridge("dup0", 0, false))
                .isInstanceOf(NetlinkException.class)
                .satisfies(e -> assertThat(((NetlinkException) e).errnoName()).isEqualTo("EEXIST"))
                .hasMessageContaining("dup0").hasMessageContaining(a);
        assertThat(inA.links().require("dup0")).extracting(Link::kind, Link::index).containsExactly("ifb", first.index());
    }

    @Test
    void invalidNamesAreRejectedBeforeTheKernelSeesThem() {
        for (String bad : new String[] {"", "sixteen-chars-xx", "a/b", "a b", "a:b", ".", ".."}) {
            assertThatThrownBy(() -> inA.links().addIfb(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid interface name");
        }
        assertThatThrownBy(() -> inA.links().addVeth("ok0", "much-too-long-name", nsB, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(inA.links().list()).extracting(Link::name).containsExactly("lo");
    }

    @Test
    void deleteByNameAndIndex() {
        inA.links().addVeth("d0", "d1", nsB, 0);
        inA.links().delete("d0");
        assertThat(inA.links().get("d0")).isEmpty();
        assertThat(inB.links().get("d1")).as("deleting one end deletes the pair").isEmpty();
        int ifb = inA.links().addIfb("d2").index();
        inA.links().delete(ifb);
        assertThat(Ip.json(a, "link", "show")).extracting(l -> l.get("ifname")).containsExactly("lo");
        assertThat(inA.links().deleteIfExists("d2")).isFalse();
        assertThatThrownBy(() -> inA.links().delete("d2")).hasMessageContaining("d2").hasMessageContaining(a);
        assertThatThrownBy(() -> inA.links().delete(ifb)).isInstanceOf(NetlinkException.class)
                .hasMessageContaining("delete link #" + ifb).hasMessageContaining(a);
        inA.links().addIfb("d3");
        assertThat(inA.links().deleteIfExists("d3")).isTrue();
    }

    @Test
    void upAndDown() {
        inA.links().addVeth("u0", "u1", nsA, 0);
        inA.links().setUp("u0");
        inA.links().setUp("u1");
        assertThat(inA.links().require("u0").isUp()).isTrue();
        assertThat(ip(a, "u0").get("flags")).asList().contains("UP", "LOWER_UP");
        inA.links().setDown("u1");
        assertThat(inA.links().require("u1").isUp()).isFalse();
        assertThat(ip(a, "u1").get("flags")).asList().doesNotContain("UP");
        // The kernel updates operstate from a work queue (linkwatch): give it a moment.
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (!"LOWERLAYERDOWN".equals(inA.links().require("u0").operStateName()) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(inA.links().require("u0").operStateName()).isEqualTo("LOWERLAYERDOWN");
        assertThat(ip(a, "u0").get("operstate")).isEqualTo("LOWERLAYERDOWN");
    }

    @Test
    void mtuAndItsLimits() {
        inA.links().addVeth("m0", "m1", nsA, 0);
        inA.links().setMtu("m0", 9000);
        assertThat(inA.links().require("m0").mtu()).isEqualTo(9000);
        assertThat(num(ip(a, "m0").get("mtu"))).isEqualTo(9000);
        assertThatThrownBy(() -> inA.links().setMtu("m0", 10))
                .isInstanceOf(NetlinkException.class)
                .hasMessageContaining("set link m0 mtu 10").hasMessageContaining(a).hasMessageContaining("EINVAL");
        assertThat(inA.links().require("m0").mtu()).isEqualTo(9000);
    }

    @Test
    void macAddress() {
        inA.links().addVeth("mac0", "mac1", nsA, 0);
        MacAddress mac = MacAddress.parse("02:42:ac:11:00:02");
        inA.links().setMac("mac0", mac);
        assertThat(inA.links().require("mac0").mac()).isEqualTo(mac);
        assertThat(ip(a, "mac0").get("address")).isEqualTo("02:42:ac:11:00:02");
        assertThatThrownBy(() -> inA.links().setMac("mac0", MacAddress.parse("01:00:5e:00:00:01")))
                .as("multicast").isInstanceOf(NetlinkException.class).hasMessageContaining("mac0");
        inA.links().addIfb("ifb0");
        assertThatThrownBy(() -> inA.links().setMac("ifb0", mac)).as("ifb has no settable MAC")
                .isInstanceOf(NetlinkException.class).hasMessageContaining("set link ifb0 address " + mac)
                .hasMessageContaining(a).hasMessageContaining("EOPNOTSUPP");
    }

    @Test
    void rename() {
        int index = inA.links().addIfb("old0").index();
        inA.links().rename("old0", "new0");
        assertThat(inA.links().get("old0")).isEmpty();
        assertThat(inA.links().require("new0").index()).isEqualTo(index);
        assertThat(num(ip(a, "new0").get("ifindex"))).isEqualTo(index);
        inA.links().addIfb("taken0");
        assertThatThrownBy(() -> inA.links().rename("new0", "taken0")).isInstanceOf(NetlinkException.class)
                .hasMessageContaining("EEXIST");
        assertThatThrownBy(() -> inA.links().rename("new0", "bad/name")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void masterAndNomaster() {
        Link br = inA.links().addBridge("br0", 0, false);
        inA.links().addVeth("p0", "p1", nsB, 0);
        inA.links().setMaster("p0", "br0");
        Link port = inA.links().require("p0");
        assertThat(port.masterIndex()).isEqualTo(br.index());
        assertThat(port.slaveKind()).isEqualTo("bridge");
        assertThat(port.port()).isNotNull();
        assertThat(ip(a, "p0").get("master")).isEqualTo("br0");
        inA.links().setNoMaster("p0");
        assertThat(inA.links().require("p0").hasMaster()).isFalse();
        assertThat(inA.links().require("p0").port()).isNull();
        assertThat(ip(a, "p0")).doesNotContainKey("master");
        assertThatThrownBy(() -> inA.links().setMaster("p0", "nosuchbr")).hasMessageContaining("nosuchbr")
                .hasMessageContaining(a);
    }

    @Test
    void moveToAnotherNetns() {
        inA.links().addIfb("mv0");
        inA.links().moveTo("mv0", nsB);
        assertThat(inA.links().get("mv0")).isEmpty();
        assertThat(inB.links().require("mv0").kind()).isEqualTo("ifb");
        assertThat(Ip.json(b, "link", "show")).extracting(l -> l.get("ifname")).contains("mv0");
        inB.links().moveTo("mv0", nsB); // already there: a no-op
        assertThat(inB.links().get("mv0")).isPresent();
    }

    @Test
    void promisc() {
        inA.links().addIfb("pr0");
        inA.links().setPromisc("pr0", true);
        assertThat(inA.links().require("pr0").isPromisc()).isTrue();
        assertThat(inA.links().require("pr0").promiscuity()).isEqualTo(1);
        assertThat(ip(a, "pr0").get("flags")).asList().contains("PROMISC");
        inA.links().setPromisc("pr0", false);
        assertThat(inA.links().require("pr0").isPromisc()).isFalse();
        assertThat(ip(a, "pr0").get("flags")).asList().doesNotContain("PROMISC");
    }

    @Test
    void bridgePortFlags() {
        inA.links().addBridge("br0", 0, false);
        inA.links().addVeth("bp0", "bp1", nsB, 0);
        inA.links().setMaster("bp0", "br0");
        BridgePort before = inA.links().require("bp0").port();
        assertThat(before.hairpin()).isFalse();
        assertThat(before.learning()).isTrue();
        assertThat(before.isolated()).isFalse();

        inA.links().setBridgePort("bp0", new BridgePort.Change(true, false, true));
        BridgePort after = inA.links().require("bp0").port();
        assertThat(after.hairpin()).isTrue();
        assertThat(after.learning()).isFalse();
        assertThat(after.isolated()).isTrue();
        Map<String, Object> slave = map(ip(a, "bp0"), "linkinfo", "info_slave_data");
        assertThat(slave).containsEntry("hairpin", true).containsEntry("learning", false).containsEntry("isolated", true);

        inA.links().setBridgePort("bp0", BridgePort.Change.hairpin(false));
        BridgePort partly = inA.links().require("bp0").port();
        assertThat(partly.hairpin()).isFalse();
        assertThat(partly.learning()).as("untouched").isFalse();
        assertThat(map(ip(a, "bp0"), "linkinfo", "info_slave_data")).containsEntry("hairpin", false);

        inA.links().addIfb("lone0");
        assertThatThrownBy(() -> inA.links().setBridgePort("lone0", BridgePort.Change.hairpin(true)))
                .isInstanceOf(NetlinkException.class).hasMessageContaining("lone0").hasMessageContaining(a);
    }

    @Test
    void statisticsCountAPing() {
        inA.links().addVeth("s0", "s1", nsB, 0);
        inA.addresses().add("s0", Cidr.parse("192.168.77.1/24"));
        inB.addresses().add("s1", Cidr.parse("192.168.77.2/24"));
        inA.links().setUp("s0");
        inB.links().setUp("s1");
        LinkStats before = inA.links().require("s0").stats();
        assertThat(Ip.ping(a, "192.168.77.2", 3)).isTrue();
        LinkStats after = inA.links().require("s0").stats();
        assertThat(after.txPackets() - before.txPackets()).isGreaterThanOrEqualTo(3);
        assertThat(after.rxPackets() - before.rxPackets()).isGreaterThanOrEqualTo(3);
        assertThat(after.txBytes() - before.txBytes()).isGreaterThanOrEqualTo(3 * 98);

        Map<String, Object> ipStats = map(Ip.json(a, "-s", "link", "show", "dev", "s0").getFirst(), "stats64");
        LinkStats now = inA.links().require("s0").stats();
        assertThat(now.rxPackets()).isGreaterThanOrEqualTo(((Number) map(ipStats, "rx").get("packets")).longValue());
        assertThat(((Number) map(ipStats, "tx").get("packets")).longValue()).isGreaterThanOrEqualTo(after.txPackets());
        assertThat(inB.links().require("s1").stats().rxPackets()).isGreaterThanOrEqualTo(after.txPackets());
    }
}
