package podnet.linux.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Route;
import podnet.linux.ns.Netns;
import podnet.linux.sysctl.Sysctl;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;
import podnet.linux.testing.ThrowawayNamespaces;

/**
 * Masquerade really happens: a "node" namespace with a bridge and two pods behind it
 * (10.244.9.0/24, gateway .1 on the bridge), and an "outside" namespace reached from the node
 * through a second veth (192.168.9.0/24). Outside has no route to the pod subnet, so a pod
 * reaches it only when its source is rewritten to the node's 192.168.9.1; tcpdump confirms.
 */
class MasqueradeTrafficTest {
    static final Cidr SUBNET = Cidr.parse("10.244.9.0/24");

    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("masq");
    Netns node, pod1, pod2, outside;
    String bridge, uplink;

    @BeforeEach
    void setUp() {
        Root.assumeProgram("ping");
        Root.assumeProgram("tcpdump");
        node = namespaces.add("node");
        pod1 = namespaces.add("pod1");
        pod2 = namespaces.add("pod2");
        outside = namespaces.add("out");
        bridge = TestNetns.ifname("br");
        uplink = TestNetns.ifname("up");
        try (NetlinkHandle n = NetlinkHandle.open(node);
                NetlinkHandle p1 = NetlinkHandle.open(pod1);
                NetlinkHandle p2 = NetlinkHandle.open(pod2);
                NetlinkHandle o = NetlinkHandle.open(outside)) {
            n.links().addBridge(bridge, 0, false);
            n.addresses().add(bridge, Cidr.parse("10.244.9.1/24"));
            n.addresses().add(bridge, Cidr.parse("fd00:9::1/64"), Address.IFA_F_NODAD);
            n.links().setUp(bridge);
            plugPod(n, p1, pod1, "10.244.9.2/24", "fd00:9::2/64");
            plugPod(n, p2, pod2, "10.244.9.3/24", "fd00:9::3/64");
            n.links().addVeth(uplink, "eth0", outside, 0);
            n.addresses().add(uplink, Cidr.parse("192.168.9.1/24"));
            n.addresses().add(uplink, Cidr.parse("fd00:192::1/64"), Address.IFA_F_NODAD);
            n.links().setUp(uplink);
            o.addresses().add("eth0", Cidr.parse("192.168.9.2/24"));
            o.addresses().add("eth0", Cidr.parse("fd00:192::2/64"), Address.IFA_F_NODAD);
            o.links().setUp("eth0");
            o.links().setUp("lo");
        }
        Sysctl.set(node, "net.ipv4.ip_forward", "1");
        Sysctl.set(node, "net/ipv6/conf/all/forwarding", "1");
    }

    private void plugPod(NetlinkHandle n, NetlinkHandle p, Netns pod, String addr, String addr6) {
        String host = TestNetns.ifname("veth");
        n.links().addVeth(host, "eth0", pod, 0);
        n.links().setMaster(host, bridge);
        n.links().setUp(host);
        p.addresses().add("eth0", Cidr.parse(addr));
        p.addresses().add("eth0", Cidr.parse(addr6), Address.IFA_F_NODAD);
        p.links().setUp("eth0");
        p.links().setUp("lo");
        int eth0 = p.links().require("eth0").index();
        p.routes().add(Route.of(null, Cidr.parseAddress("10.244.9.1"), eth0));
        p.routes().add(Route.of(null, Cidr.parseAddress("fd00:9::1"), eth0));
    }

    @Test
    void podTrafficLeavingTheSubnetIsMasqueraded() throws Exception {
        assertThat(Ip.ping(pod1.name(), "192.168.9.2", 1)).as("no masquerade yet: no way back").isFalse();

        try (Masquerade masq = Masquerade.open(node)) {
            masq.ensureNetwork("e2e", SUBNET);
            masq.add("e2e", Cidr.parseAddress("10.244.9.2"));

            try (Tcpdump dump = Tcpdump.start(outside.name(), "eth0", 1, "icmp[icmptype] == icmp-echo")) {
                assertThat(Ip.ping(pod1.name(), "192.168.9.2", 2)).as("pod1 -> outside, masqueraded").isTrue();
                List<String> packets = dump.packets();
                assertThat(packets).anySatisfy(l -> assertThat(l).contains("IP 192.168.9.1 > 192.168.9.2: ICMP echo request"));
            }

            assertThat(Ip.ping(pod2.name(), "192.168.9.2", 1)).as("pod2 is not in the set").isFalse();

            masq.remove("e2e", Cidr.parseAddress("10.244.9.2"));
            assertThat(Ip.ping(pod1.name(), "192.168.9.2", 1)).as("a new flow after remove is not masqueraded").isFalse();
        }
    }

    @Test
    void trafficInsideTheSubnetKeepsItsSource() throws Exception {
        try (Masquerade masq = Masquerade.open(node)) {
            masq.ensureNetwork("e2e", SUBNET);
            masq.add("e2e", Cidr.parseAddress("10.244.9.2"));
            masq.add("e2e", Cidr.parseAddress("10.244.9.3"));
            try (Tcpdump dump = Tcpdump.start(pod2.name(), "eth0", 1, "icmp[icmptype] == icmp-echo")) {
                assertThat(Ip.ping(pod1.name(), "10.244.9.3", 2)).isTrue();
                assertThat(dump.packets()).anySatisfy(l -> assertThat(l).contains("IP 10.244.9.2 > 10.244.9.3: ICMP echo request"));
            }
            // The node's own address on the bridge is not a pod: not in the set, not masqueraded.
            try (Tcpdump dump = Tcpdump.start(pod1.name(), "eth0", 1, "icmp[icmptype] == icmp-echo")) {
                assertThat(Ip.ping(node.name(), "10.244.9.2", 2)).isTrue();
                assertThat(dump.packets()).anySatisfy(l -> assertThat(l).contains("IP 10.244.9.1 > 10.244.9.2: ICMP echo request"));
            }
        }
    }

    @Test
    void ipv6PodTrafficLeavingTheSubnetIsMasqueraded() throws Exception {
        // No "before" ping here, unlike IPv4: ping may use an ICMP datagram socket whose echo id
        // the kernel reuses, and the un-NATed conntrack entry of that first flow would then catch
        // the second ping too.
        try (Masquerade masq = Masquerade.open(node)) {
            masq.ensureNetwork("e2e", SUBNET);
            masq.ensureNetwork("e2e", Cidr.parse("fd00:9::/64"));
            masq.add("e2e", Cidr.parseAddress("10.244.9.2"));
            masq.add("e2e", Cidr.parseAddress("fd00:9::2"));
            try (Tcpdump dump = Tcpdump.start(outside.name(), "eth0", 1, "icmp6 and ip6[40] == 128")) {
                assertThat(Ip.ping(pod1.name(), "fd00:192::2", 2)).as("pod1 -> outside over IPv6, masqueraded").isTrue();
                assertThat(dump.packets()).anySatisfy(l -> assertThat(l).contains("IP6 fd00:192::1 > fd00:192::2: ICMP6, echo request"));
            }
            try (Tcpdump dump = Tcpdump.start(pod2.name(), "eth0", 1, "icmp6 and ip6[40] == 128")) {
                assertThat(Ip.ping(pod1.name(), "fd00:9::3", 2)).isTrue();
                assertThat(dump.packets()).anySatisfy(l -> assertThat(l).contains("IP6 fd00:9::2 > fd00:9::3: ICMP6, echo request"));
            }
        }
    }
}
