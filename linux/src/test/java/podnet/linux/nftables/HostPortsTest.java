package podnet.linux.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Route;
import podnet.linux.ns.Netns;
import podnet.linux.sysctl.Sysctl;
import podnet.linux.testing.PortProbe;
import podnet.linux.testing.TestNetns;

/**
 * Host ports on the real kernel: a node namespace with a bridge, a pod behind it (10.244.8.2,
 * fd00:8::2) answering on TCP and UDP port 80, and an outside namespace reaching the node on
 * 192.168.8.1. Connections to the host port from outside, from the node itself (its bridge
 * address and 127.0.0.1) and from the pod (hairpin) reach the pod; nft(8) shows the rules;
 * CHECK, DEL and GC act on one attachment only.
 */
class HostPortsTest {
    static final Cidr POD = Cidr.parse("10.244.8.2/24"), POD6 = Cidr.parse("fd00:8::2/64");
    static final HostPort TCP = new HostPort(8080, 80, "tcp", null), UDP = new HostPort(8053, 80, "udp", null);
    static final int MARK = 0x2000;

    TestNetns namespaces;
    Netns node, pod, outside;
    String bridge;
    final PortProbe probe = new PortProbe();

    @BeforeEach
    void setUp() throws Exception {
        namespaces = new TestNetns("hostport");
        node = namespaces.add("node");
        pod = namespaces.add("pod");
        outside = namespaces.add("out");
        bridge = TestNetns.ifname("br");
        String uplink = TestNetns.ifname("up"), host = TestNetns.ifname("veth");
        try (NetlinkHandle n = NetlinkHandle.open(node); NetlinkHandle p = NetlinkHandle.open(pod);
                NetlinkHandle o = NetlinkHandle.open(outside)) {
            n.links().setUp("lo");
            n.links().addBridge(bridge, 0, false);
            n.addresses().add(bridge, Cidr.parse("10.244.8.1/24"));
            n.addresses().add(bridge, Cidr.parse("fd00:8::1/64"), Address.IFA_F_NODAD);
            n.links().setUp(bridge);
            n.links().addVeth(host, "eth0", pod, 0);
            n.links().setMaster(host, bridge);
            // br_netfilter is on in every netns here: a pod reaching its own host port is
            // DNATed in the bridge path and must leave by the port it came in (as the bridge
            // plugin's hairpinMode sets)
            n.links().setBridgePort(host, podnet.linux.netlink.BridgePort.Change.hairpin(true));
            n.links().setUp(host);
            p.addresses().add("eth0", Cidr.parse("10.244.8.2/24"));
            p.addresses().add("eth0", Cidr.parse("fd00:8::2/64"), Address.IFA_F_NODAD);
            p.links().setUp("eth0");
            p.links().setUp("lo");
            int eth0 = p.links().require("eth0").index();
            p.routes().add(Route.of(null, Cidr.parseAddress("10.244.8.1"), eth0));
            n.links().addVeth(uplink, "eth0", outside, 0);
            n.addresses().add(uplink, Cidr.parse("192.168.8.1/24"));
            n.links().setUp(uplink);
            o.addresses().add("eth0", Cidr.parse("192.168.8.2/24"));
            o.links().setUp("eth0");
            o.links().setUp("lo");
        }
        Sysctl.set(node, "net.ipv4.ip_forward", "1");
        Sysctl.set(node, Sysctl.conf("ipv4", bridge, "route_localnet"), "1");
        probe.serveTcp(pod, 80, "pod").serveUdp(pod, 80);
    }

    @AfterEach
    void tearDown() throws Exception {
        probe.close();
        namespaces.close();
    }

    private HostPorts.Owner owner(String id) {
        return new HostPorts.Owner("mynet", id);
    }

    @Test
    void tcpFromOutsideNodeLocalhostAndHairpin() {
        try (HostPorts hp = HostPorts.open(node)) {
            hp.add(owner("c1"), List.of(POD), List.of(TCP), true, MARK);
        }
        assertThat(PortProbe.tcp(outside, "192.168.8.1", 8080)).isEqualTo("pod from 192.168.8.2");
        assertThat(PortProbe.tcp(node, "10.244.8.1", 8080)).isEqualTo("pod from 10.244.8.1");
        assertThat(PortProbe.tcp(node, "127.0.0.1", 8080)).as("localhost, masqueraded to the bridge address")
                .isEqualTo("pod from 10.244.8.1");
        assertThat(PortProbe.tcp(pod, "10.244.8.1", 8080)).as("hairpin, masqueraded").isEqualTo("pod from 10.244.8.1");
        String table = Nft.run(node.name(), "list", "table", "inet", HostPorts.TABLE);
        assertThat(table).contains("fib daddr type local jump hostports")
                .contains("dnat ip to 10.244.8.2:80")
                .contains("masquerade")
                .contains("comment \"podnet-portmap mynet c1 ");
    }

    @Test
    void udpAndIpv6() {
        try (HostPorts hp = HostPorts.open(node)) {
            hp.add(owner("c1"), List.of(POD, POD6), List.of(TCP, UDP), true, MARK);
        }
        assertThat(PortProbe.udp(outside, "192.168.8.1", 8053)).isEqualTo("udp from 192.168.8.2");
        assertThat(PortProbe.tcp(node, "fd00:8::1", 8080)).isEqualTo("pod from fd00:8::1");
        assertThat(Nft.run(node.name(), "list", "table", "inet", HostPorts.TABLE)).contains("dnat ip6 to [fd00:8::2]:80");
    }

    @Test
    void hostIpLimitsTheAddress() {
        try (HostPorts hp = HostPorts.open(node)) {
            hp.add(owner("c1"), List.of(POD), List.of(new HostPort(8080, 80, "tcp", Cidr.parseAddress("192.168.8.1"))),
                    true, MARK);
        }
        assertThat(PortProbe.tcp(outside, "192.168.8.1", 8080)).isEqualTo("pod from 192.168.8.2");
        assertThat(PortProbe.tcp(node, "10.244.8.1", 8080)).startsWith("failed");
    }

    @Test
    void checkRemoveAndGcTouchOneAttachment() {
        try (HostPorts hp = HostPorts.open(node)) {
            hp.add(owner("c1"), List.of(POD), List.of(TCP), true, MARK);
            hp.add(owner("c2"), List.of(Cidr.parse("10.244.8.3/24")), List.of(new HostPort(9090, 80, "tcp", null)), true, MARK);
            hp.add(owner("c3"), List.of(Cidr.parse("10.244.8.4/24")), List.of(new HostPort(9091, 80, "tcp", null)), true, MARK);
            assertThat(hp.check(owner("c1"), List.of(POD), List.of(TCP), true, MARK)).isEmpty();
            assertThat(hp.check(owner("c1"), List.of(POD), List.of(UDP), true, MARK)).isPresent();
            assertThat(hp.check(owner("nope"), List.of(POD), List.of(TCP), true, MARK)).get().asString()
                    .contains("no hostport rules");

            hp.add(owner("c1"), List.of(POD), List.of(TCP), true, MARK); // a repeated ADD replaces, never doubles
            assertThat(hp.owners()).containsExactlyInAnyOrder(owner("c1"), owner("c2"), owner("c3"));

            hp.remove(owner("c2"));
            hp.remove(owner("c2")); // idempotent
            assertThat(hp.owners()).containsExactlyInAnyOrder(owner("c1"), owner("c3"));
            hp.retain("mynet", List.of("c1"));
            hp.retain("othernet", List.of());
            assertThat(hp.owners()).containsExactly(owner("c1"));
            assertThat(PortProbe.tcp(outside, "192.168.8.1", 8080)).isEqualTo("pod from 192.168.8.2");
            hp.remove(owner("c1"));
            assertThat(hp.owners()).isEmpty();
        }
        assertThat(PortProbe.tcp(outside, "192.168.8.1", 8080)).startsWith("failed");
        String table = Nft.run(node.name(), "list", "table", "inet", HostPorts.TABLE);
        assertThat(table).doesNotContain("chain pm-").doesNotContain("dnat");
    }
}
