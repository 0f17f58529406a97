package podnet.linux.conntrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/**
 * Conntrack over ctnetlink against real flows between two throwaway namespaces; the oracle is
 * the kernel's own text listing, {@code /proc/thread-self/net/nf_conntrack} read inside the
 * namespace (no conntrack(8) here).
 */
class ConntrackTest {
    TestNetns namespaces;
    Netns a, b;
    final InetAddress ipA = Cidr.parseAddress("192.168.77.1"), ipB = Cidr.parseAddress("192.168.77.2");

    @BeforeEach
    void setUp() {
        namespaces = new TestNetns("policy2-ct");
        Root.assumeProgram("nft");
        a = namespaces.add("a");
        b = namespaces.add("b");
        try (NetlinkHandle h = NetlinkHandle.open(a)) {
            h.links().addVeth("vct0", "vct1", b, 0);
            h.addresses().add("vct0", Cidr.parse("192.168.77.1/24"));
            h.links().setUp("vct0");
        }
        try (NetlinkHandle h = NetlinkHandle.open(b)) {
            h.addresses().add("vct1", Cidr.parse("192.168.77.2/24"));
            h.links().setUp("vct1");
        }
        // Conntrack runs in a namespace once a rule needs it.
        Ip.run("ip", "netns", "exec", b.name(), "nft", "add table inet t; add chain inet t in { type filter hook input priority 0; };"
                + " add rule inet t in ct state established accept").ok();
    }

    @AfterEach
    void tearDown() {
        namespaces.close();
    }

    private String procListing() {
        return b.call(() -> Files.readString(Path.of("/proc/thread-self/net/nf_conntrack")));
    }

    private ConntrackEntry find(List<ConntrackEntry> all, int proto, int sport) {
        return all.stream().filter(e -> e.protocol() == proto && e.sourcePort() == sport).findFirst().orElse(null);
    }

    @Test
    void listsAndDeletesAUdpAndATcpFlow() throws Exception {
        try (ServerSocketChannel server = b.call(() -> ServerSocketChannel.open().bind(new InetSocketAddress(ipB, 8081)));
                DatagramChannel udp = a.call(DatagramChannel::open);
                SocketChannel tcp = a.call(SocketChannel::open)) {
            udp.send(ByteBuffer.wrap(new byte[] {1}), new InetSocketAddress(ipB, 8080));
            tcp.connect(new InetSocketAddress(ipB, 8081));
            int udpPort = ((InetSocketAddress) udp.getLocalAddress()).getPort();
            int tcpPort = ((InetSocketAddress) tcp.getLocalAddress()).getPort();
            try (Conntrack ct = Conntrack.open(b)) {
                List<ConntrackEntry> all = ct.list();
                ConntrackEntry u = find(all, 17, udpPort), t = find(all, 6, tcpPort);
                assertThat(u).isNotNull();
                assertThat(u.source()).isEqualTo(ipA);
                assertThat(u.destination()).isEqualTo(ipB);
                assertThat(u.destinationPort()).isEqualTo(8080);
                assertThat(u.toString()).isEqualTo("udp 192.168.77.1:" + udpPort + " -> 192.168.77.2:8080");
                assertThat(t).isNotNull();
                assertThat(t.destinationPort()).isEqualTo(8081);
                String proc = procListing();
                assertThat(proc).contains("src=192.168.77.1 dst=192.168.77.2 sport=" + udpPort + " dport=8080")
                        .contains("src=192.168.77.1 dst=192.168.77.2 sport=" + tcpPort + " dport=8081");
                assertThat(all).hasSize((int) proc.lines().filter(l -> l.startsWith("ipv4")).count());

                assertThat(ct.delete(u)).isTrue();
                assertThat(ct.delete(u)).as("gone already").isFalse();
                assertThat(find(ct.list(), 17, udpPort)).isNull();
                assertThat(procListing()).doesNotContain("sport=" + udpPort + " ").contains("sport=" + tcpPort + " ");
                assertThat(ct.delete(t)).isTrue();
                assertThat(procListing()).doesNotContain("sport=" + tcpPort + " ");
            }
            try (Conntrack ct = Conntrack.open(a)) {
                assertThat(ct.list()).as("a has no conntrack rules: nothing tracked there").isEmpty();
            }
        }
    }
}
