package podnet.linux.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
import podnet.linux.testing.TestNetns;

/**
 * Host ports on the real kernel: a node namespace with a bridge, a pod behind it (10.244.8.2,
 * fd00:8::2) answering on TCP and UDP port 80, and an outside namespace reaching the node on
 * 192.168.8.1. Connections to the host port from outside, from the node itself (its bridge
 * address and 127.0.0.1) and from the pod (hairpin) reach the pod; nft(8) shows the rules;
 * CHECK, DEL and GC act on one attachment only.
 */
class HostPortsTest {
    static final InetAddress POD = Cidr.parseAddress("10.244.8.2"), POD6 = Cidr.parseAddress("fd00:8::2");
    static final HostPort TCP = new HostPort(8080, 80, "tcp", null), UDP = new HostPort(8053, 80, "udp", null);
    static final int MARK = 0x2000;

    TestNetns namespaces;
    Netns node, pod, outside;
    String bridge;
    final List<AutoCloseable> servers = new ArrayList<>();

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
        serveTcp(pod, "::", "pod"); // dual stack: v4 clients arrive as v4-mapped
        serveUdp(pod);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable s : servers) {
            s.close();
        }
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
        assertThat(tcp(outside, "192.168.8.1", 8080)).isEqualTo("pod from 192.168.8.2");
        assertThat(tcp(node, "10.244.8.1", 8080)).isEqualTo("pod from 10.244.8.1");
        assertThat(tcp(node, "127.0.0.1", 8080)).as("localhost, masqueraded to the bridge address")
                .isEqualTo("pod from 10.244.8.1");
        assertThat(tcp(pod, "10.244.8.1", 8080)).as("hairpin, masqueraded").isEqualTo("pod from 10.244.8.1");
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
        assertThat(udp(outside, "192.168.8.1", 8053)).isEqualTo("udp from 192.168.8.2");
        assertThat(tcp(node, "fd00:8::1", 8080)).isEqualTo("pod from fd00:8::1");
        assertThat(Nft.run(node.name(), "list", "table", "inet", HostPorts.TABLE)).contains("dnat ip6 to [fd00:8::2]:80");
    }

    @Test
    void hostIpLimitsTheAddress() {
        try (HostPorts hp = HostPorts.open(node)) {
            hp.add(owner("c1"), List.of(POD), List.of(new HostPort(8080, 80, "tcp", Cidr.parseAddress("192.168.8.1"))),
                    true, MARK);
        }
        assertThat(tcp(outside, "192.168.8.1", 8080)).isEqualTo("pod from 192.168.8.2");
        assertThat(tcp(node, "10.244.8.1", 8080)).startsWith("failed");
    }

    @Test
    void checkRemoveAndGcTouchOneAttachment() {
        try (HostPorts hp = HostPorts.open(node)) {
            hp.add(owner("c1"), List.of(POD), List.of(TCP), true, MARK);
            hp.add(owner("c2"), List.of(Cidr.parseAddress("10.244.8.3")), List.of(new HostPort(9090, 80, "tcp", null)), true, MARK);
            hp.add(owner("c3"), List.of(Cidr.parseAddress("10.244.8.4")), List.of(new HostPort(9091, 80, "tcp", null)), true, MARK);
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
            assertThat(tcp(outside, "192.168.8.1", 8080)).isEqualTo("pod from 192.168.8.2");
            hp.remove(owner("c1"));
            assertThat(hp.owners()).isEmpty();
        }
        assertThat(tcp(outside, "192.168.8.1", 8080)).startsWith("failed");
        String table = Nft.run(node.name(), "list", "table", "inet", HostPorts.TABLE);
        assertThat(table).doesNotContain("chain pm-").doesNotContain("dnat");
    }

    // ---- a tiny server in the pod and clients anywhere ----------------------------------

    private void serveTcp(Netns ns, String bind, String name) {
        ServerSocket s = ns.call(() -> {
            ServerSocket ss = new ServerSocket();
            ss.bind(new InetSocketAddress(InetAddress.getByName(bind), 80));
            return ss;
        });
        servers.add(s);
        Thread.ofPlatform().daemon().start(() -> {
            while (!s.isClosed()) {
                try (Socket c = s.accept()) {
                    c.getOutputStream().write((name + " from " + Cidr.text(c.getInetAddress())).getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // closed at tear-down
                }
            }
        });
    }

    private void serveUdp(Netns ns) {
        DatagramSocket s = ns.call(() -> new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::"), 80)));
        servers.add(s);
        Thread.ofPlatform().daemon().start(() -> {
            byte[] buf = new byte[512];
            while (!s.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    s.receive(p);
                    byte[] reply = ("udp from " + Cidr.text(p.getAddress())).getBytes(StandardCharsets.UTF_8);
                    s.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                } catch (IOException e) {
                    // closed
                }
            }
        });
    }

    private static String tcp(Netns from, String to, int port) {
        try {
            return from.call(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getByName(to), port), 2000);
                    s.setSoTimeout(2000);
                    return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                }
            });
        } catch (RuntimeException e) {
            return "failed: " + e.getMessage();
        }
    }

    private static String udp(Netns from, String to, int port) {
        try {
            return from.call(() -> {
                try (DatagramSocket s = new DatagramSocket()) {
                    s.setSoTimeout(2000);
                    byte[] q = "hi".getBytes();
                    s.send(new DatagramPacket(q, q.length, InetAddress.getByName(to), port));
                    DatagramPacket p = new DatagramPacket(new byte[512], 512);
                    s.receive(p);
                    return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
                }
            });
        } catch (RuntimeException e) {
            return "failed: " + (e.getCause() instanceof SocketTimeoutException ? "timeout" : e.getMessage());
        }
    }
}
