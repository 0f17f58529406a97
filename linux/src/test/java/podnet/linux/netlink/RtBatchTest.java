package podnet.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;
import podnet.linux.testing.Ip;
import podnet.linux.testing.TestNetns;

/** Several rtnetlink requests in one datagram, checked with {@code ip -j} as the oracle. */
class RtBatchTest {
    TestNetns namespaces;
    Netns node, pod;
    NetlinkHandle inNode, inPod;

    @BeforeEach
    void setUp() {
        namespaces = new TestNetns("rtbatch");
        node = namespaces.add("node");
        pod = namespaces.add("pod");
        inNode = NetlinkHandle.open(node);
        inPod = NetlinkHandle.open(pod);
    }

    @AfterEach
    void tearDown() {
        if (inNode != null) {
            inNode.close();
            inPod.close();
        }
        namespaces.close();
    }

    @Test
    void aVethBornAsABridgePortWithItsPeerInThePodInOneRoundTrip() {
        Link br = inNode.links().addBridge("br0", 0, false);
        MacAddress mac = MacAddress.parse("0a:58:0a:f4:02:07");
        List<Link> links = inNode.batch()
                .addVeth(new VethSpec("vethtest", "eth0", pod, 1400, true, br.index(), mac))
                .setBridgePort("vethtest", BridgePort.Change.hairpin(true))
                .getLink("vethtest")
                .send();

        assertThat(links).hasSize(2);
        Link echoed = links.get(0);
        assertThat(echoed.name()).isEqualTo("vethtest");
        Map<String, Object> peer = Ip.link(pod.name(), "eth0");
        assertThat(echoed.linkIndex()).isEqualTo(((Number) peer.get("ifindex")).intValue());
        assertThat(peer.get("address")).isEqualTo(mac.toString());
        assertThat(((Number) peer.get("mtu")).intValue()).isEqualTo(1400);

        Map<String, Object> host = Ip.link(node.name(), "vethtest");
        assertThat(host.get("master")).isEqualTo("br0");
        assertThat(host.get("flags").toString()).contains("UP");
        @SuppressWarnings("unchecked")
        Map<String, Object> slave = (Map<String, Object>) ((Map<String, Object>) host.get("linkinfo")).get("info_slave_data");
        assertThat(slave.get("hairpin")).isEqualTo(true);
        assertThat(links.get(1).masterIndex()).isEqualTo(br.index());
    }

    @Test
    void podSideAddressesLinkUpAndRoutesInOrder() {
        Link host = inNode.batch().addVeth(new VethSpec("vethtest", "eth0", pod, 0, true, 0, null)).send().getFirst();
        int eth0 = host.linkIndex();
        List<Link> links = inPod.batch()
                .addAddress(eth0, Cidr.parse("10.244.9.5/24"))
                .setLink(eth0, LinkChange.setUp())
                .addRoute(Route.of(null, Cidr.parseAddress("10.244.9.1"), eth0))
                .getLink(eth0)
                .send();
        assertThat(links).singleElement().satisfies(l -> assertThat(l.isUp()).isTrue());
        assertThat(Ip.json(pod.name(), "addr", "show", "dev", "eth0").getFirst().toString()).contains("10.244.9.5");
        assertThat(Ip.json(pod.name(), "route", "show", "default")).singleElement()
                .satisfies(r -> assertThat(r.get("gateway")).isEqualTo("10.244.9.1"));
    }

    @Test
    void aRefusedStepIsNamedAndTheKernelStillRunsTheLaterOnes() {
        Link host = inNode.batch().addVeth(new VethSpec("vethtest", "eth0", pod, 0, true, 0, null)).send().getFirst();
        int eth0 = host.linkIndex();
        inPod.addresses().add("eth0", Cidr.parse("10.244.9.5/24"));
        assertThatThrownBy(() -> inPod.batch()
                .addAddress(eth0, Cidr.parse("10.244.9.5/24"))
                .setLink(eth0, LinkChange.setUp())
                .send())
                .isInstanceOf(NetlinkException.class)
                .hasMessageContaining("add address 10.244.9.5/24")
                .satisfies(e -> assertThat(((NetlinkException) e).is(Errno.EEXIST)).isTrue());
        assertThat(Ip.link(pod.name(), "eth0").get("flags").toString()).contains("UP");
    }

    @Test
    void aLinkGroupIsDeletedByOneRequest() {
        for (int i = 0; i < 3; i++) {
            inNode.batch().addVeth(new VethSpec("vethg" + i, "eth" + i, pod, 0, false, 0, null)).send();
        }
        inNode.batch().setLink("vethg0", LinkChange.inGroup(4242)).setLink("vethg2", LinkChange.inGroup(4242))
                .deleteGroup(4242).send();
        assertThat(Ip.json(node.name(), "link", "show").stream().map(m -> m.get("ifname")))
                .contains("vethg1").doesNotContain("vethg0", "vethg2");
        assertThat(Ip.json(pod.name(), "link", "show").stream().map(m -> m.get("ifname")))
                .contains("eth1").doesNotContain("eth0", "eth2");
    }
    private String podSysctl(String key) {
        return Ip.run("ip", "netns", "exec", pod.name(), "cat", "/proc/sys/" + key).ok().out().strip();
    }

    @Test
    void anIpv4DevconfKeyIsSetByNetlinkBeforeTheLinkGoesUp() {
        Link host = inNode.batch().addVeth(new VethSpec("vethtest", "eth0", pod, 0, true, 0, null)).send().getFirst();
        int eth0 = host.linkIndex();
        assertThat(podSysctl("net/ipv4/conf/eth0/arp_notify")).isEqualTo("0");
        Link after = inPod.batch()
                .setIpv4Conf(eth0, InetConf.IPV4_ARP_NOTIFY, 1)
                .setLink(eth0, LinkChange.setUp())
                .getLink(eth0)
                .send().getFirst();
        assertThat(podSysctl("net/ipv4/conf/eth0/arp_notify")).as("the sysctl oracle").isEqualTo("1");
        assertThat(after.inet().ipv4(InetConf.IPV4_ARP_NOTIFY)).hasValue(1);
        assertThat(podSysctl("net/ipv4/conf/lo/arp_notify")).as("no other device's").isEqualTo("0");
    }

    @Test
    void anOptionalStepsRefusalDoesNotFailTheBatch() {
        Link host = inNode.batch().addVeth(new VethSpec("vethtest", "eth0", pod, 0, false, 0, null)).send().getFirst();
        int eth0 = host.linkIndex();
        assertThatThrownBy(() -> inPod.batch().setIpv4Conf(9999, InetConf.IPV4_ARP_NOTIFY, 1).send())
                .isInstanceOf(NetlinkException.class).hasMessageContaining("ipv4 devconf 22=1");
        List<Link> links = inPod.batch().setIpv4Conf(9999, InetConf.IPV4_ARP_NOTIFY, 1).optional()
                .setLink(eth0, LinkChange.setUp()).getLink(eth0).send();
        assertThat(links).singleElement().satisfies(l -> assertThat(l.isUp()).isTrue());
        assertThatThrownBy(() -> inPod.batch().optional()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> inPod.batch().setIpv4Conf(eth0, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
