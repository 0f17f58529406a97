package podnet.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
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
import podnet.linux.sys.Sockets;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.ThrowawayNamespaces;

/** The ARP/ND table after real traffic between two throwaway namespaces, against {@code ip -j neigh}. */
class NeighboursTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("neigh");
    String a, b;
    NetlinkHandle inA, inB;

    @BeforeEach
    void setUp() {
        Netns nsA = namespaces.add("a");
        Netns nsB = namespaces.add("b");
        a = nsA.name();
        b = nsB.name();
        inA = NetlinkHandle.open(nsA);
        inB = NetlinkHandle.open(nsB);
        inA.links().addVeth("eth0", "eth0", nsB, 0);
        inA.addresses().add("eth0", Cidr.parse("192.168.50.1/24"));
        inB.addresses().add("eth0", Cidr.parse("192.168.50.2/24"));
        inA.links().setUp("eth0");
        inB.links().setUp("eth0");
    }

    @AfterEach
    void tearDown() {
        if (inA != null) {
            inA.close();
            inB.close();
        }
    }

    private Map<String, Object> ipNeigh(String ns, String dst) {
        return Ip.json(ns, "neigh", "show").stream().filter(n -> dst.equals(n.get("dst"))).findFirst().orElse(null);
    }

    @Test
    void aPingLeavesAnArpEntryWithThePeersMac() {
        Root.assumeProgram("ping");
        assertThat(inA.neighbours().list(Sockets.AF_INET)).isEmpty();
        assertThat(Ip.ping(a, "192.168.50.2", 1)).isTrue();
        MacAddress macB = inB.links().require("eth0").mac();
        InetAddress ipB = Cidr.parseAddress("192.168.50.2");

        List<Neighbour> table = inA.neighbours().list(Sockets.AF_INET);
        assertThat(table).filteredOn(n -> n.ip().equals(ipB)).singleElement().satisfies(n -> {
            assertThat(n.mac()).isEqualTo(macB);
            assertThat(n.index()).isEqualTo(inA.links().require("eth0").index());
            assertThat(n.state() & (Neighbour.NUD_REACHABLE | Neighbour.NUD_STALE | Neighbour.NUD_DELAY
                    | Neighbour.NUD_PROBE)).isNotZero();
        });
        Map<String, Object> theirs = ipNeigh(a, "192.168.50.2");
        assertThat(theirs).containsEntry("lladdr", macB.toString()).containsEntry("dev", "eth0");
        Neighbour ours = table.stream().filter(n -> n.ip().equals(ipB)).findFirst().orElseThrow();
        assertThat(theirs.get("state").toString()).contains(ours.stateName().split(",")[0]);
        assertThat(inA.neighbours().list(0)).as("both families").contains(ours);
    }

    @Test
    void permanentEntriesReplaceAndDelete() {
        MacAddress mac = MacAddress.parse("02:00:00:00:00:99");
        inA.neighbours().replacePermanent("eth0", Cidr.parseAddress("192.168.50.99"), mac);
        assertThat(ipNeigh(a, "192.168.50.99")).containsEntry("lladdr", "02:00:00:00:00:99")
                .satisfies(n -> assertThat(n.get("state").toString()).contains("PERMANENT"));
        MacAddress other = MacAddress.parse("02:00:00:00:00:98");
        inA.neighbours().replacePermanent("eth0", Cidr.parseAddress("192.168.50.99"), other);
        assertThat(inA.neighbours().list(Sockets.AF_INET)).filteredOn(n -> n.mac() != null && n.mac().equals(other))
                .singleElement().satisfies(n -> assertThat(n.stateName()).isEqualTo("PERMANENT"));

        inA.neighbours().replacePermanent("eth0", Cidr.parseAddress("fd00::99"), mac);
        assertThat(ipNeigh(a, "fd00::99")).containsEntry("lladdr", "02:00:00:00:00:99");
        assertThat(inA.neighbours().list(Sockets.AF_INET6)).anyMatch(n -> n.ip().equals(Cidr.parseAddress("fd00::99")));

        inA.neighbours().delete("eth0", Cidr.parseAddress("192.168.50.99"));
        inA.neighbours().delete("eth0", Cidr.parseAddress("fd00::99"));
        assertThat(ipNeigh(a, "192.168.50.99")).isNull();
        assertThat(ipNeigh(a, "fd00::99")).isNull();
        assertThatThrownBy(() -> inA.neighbours().delete("eth0", Cidr.parseAddress("192.168.50.99")))
                .isInstanceOf(NetlinkException.class)
                .hasMessageStartingWith("delete neighbour 192.168.50.99 dev eth0 in netns " + a)
                .hasMessageContaining("ENOENT");
    }

    @Test
    void stateNames() {
        assertThat(Neighbour.stateName(Neighbour.NUD_REACHABLE)).isEqualTo("REACHABLE");
        assertThat(Neighbour.stateName(0)).isEqualTo("NONE");
        assertThat(Neighbour.stateName(Neighbour.NUD_STALE | Neighbour.NUD_PERMANENT)).isEqualTo("STALE,PERMANENT");
    }
}
