package podnet.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Sockets;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/**
 * flannel's data path from the Linux layer: the {@code flannel.1} device, and per peer a
 * permanent neighbour, an FDB entry towards the peer and an onlink route — batched — checked
 * against {@code ip -d -j link}, {@code ip -j neigh}, {@code bridge -j fdb} and {@code ip -j route}.
 */
class VxlanTest {
    static final MacAddress OURS = MacAddress.parse("02:11:22:33:44:55");
    TestNetns namespaces;
    Netns node;
    String ns;
    NetlinkHandle h;
    int underlay;

    @BeforeEach
    void setUp() {
        namespaces = new TestNetns("vxlan");
        node = namespaces.add("node");
        ns = node.name();
        h = NetlinkHandle.open(node);
        h.links().addVeth("eth0", "peer0", node, 0);
        h.addresses().add("eth0", Cidr.parse("192.168.77.1/24"));
        h.links().setUp("eth0");
        h.links().setUp("peer0");
        underlay = h.links().require("eth0").index();
    }

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
        namespaces.close();
    }

    private Link flannel() {
        Link l = h.links().addVxlan("flannel.1", new Vxlan(1, Vxlan.FLANNEL_PORT, underlay,
                Cidr.parseAddress("192.168.77.1"), false), 1450, OURS);
        h.links().setUp("flannel.1");
        return l;
    }

    @SuppressWarnings("unchecked")
    @Test
    void aFlannelCompatibleDeviceAsIpSeesIt() {
        Link l = flannel();
        assertThat(l.kind()).isEqualTo("vxlan");
        assertThat(l.mtu()).isEqualTo(1450);
        assertThat(l.mac()).isEqualTo(OURS);
        Map<String, Object> theirs = Ip.link(ns, "flannel.1");
        assertThat(theirs).containsEntry("mtu", 1450).containsEntry("address", "02:11:22:33:44:55");
        Map<String, Object> data = (Map<String, Object>) ((Map<String, Object>) theirs.get("linkinfo")).get("info_data");
        assertThat(data).containsEntry("id", 1).containsEntry("local", "192.168.77.1").containsEntry("link", "eth0")
                .containsEntry("port", 8472).containsEntry("learning", false);

        assertThat(h.links().vxlan("flannel.1")).contains(new Vxlan(1, 8472, underlay, Cidr.parseAddress("192.168.77.1"), false));
        assertThat(h.links().vxlan("eth0")).as("not a vxlan").isEmpty();
        assertThat(h.links().vxlan("nosuch0")).isEmpty();

        Link learning = h.links().addVxlan("vx4789", new Vxlan(42, 4789, 0, null, true), 0, null);
        assertThat(h.links().vxlan("vx4789")).contains(new Vxlan(42, 4789, 0, null, true));
        assertThat(learning.mac()).isNotNull();
    }

    @Test
    void peerEntriesGoInInFlannelsOrderAndComeOutInReverse() {
        int dev = flannel().index();
        MacAddress peerMac = MacAddress.parse("02:aa:bb:cc:dd:ee");
        InetAddress gw = Cidr.parseAddress("10.244.3.0");
        InetAddress peerIp = Cidr.parseAddress("192.168.77.2");
        Route route = Route.onlink(Cidr.parse("10.244.3.0/24"), gw, dev);
        assertThat(h.applyEach(List.of(Neighbours.permanent(dev, gw, peerMac)))).containsOnlyNulls();
        assertThat(h.applyEach(List.of(Fdb.remote(dev, peerMac, peerIp)))).containsOnlyNulls();
        assertThat(h.applyEach(List.of(Routes.replacement(route)))).containsOnlyNulls();

        assertThat(Ip.json(ns, "neigh", "show", "dev", "flannel.1")).singleElement().satisfies(n -> assertThat(n)
                .containsEntry("dst", "10.244.3.0").containsEntry("lladdr", "02:aa:bb:cc:dd:ee")
                .containsEntry("state", List.of("PERMANENT")));
        assertThat(Ip.bridgeJson(ns, "fdb", "show", "dev", "flannel.1")).singleElement().satisfies(f -> assertThat(f)
                .containsEntry("mac", "02:aa:bb:cc:dd:ee").containsEntry("dst", "192.168.77.2")
                .containsEntry("flags", List.of("self")).containsEntry("state", "permanent"));
        assertThat(Ip.json(ns, "route", "show", "dev", "flannel.1")).singleElement().satisfies(r -> assertThat(r)
                .containsEntry("dst", "10.244.3.0/24").containsEntry("gateway", "10.244.3.0")
                .containsEntry("flags", List.of("onlink")));

        assertThat(h.neighbours().list(Sockets.AF_INET, dev)).singleElement().satisfies(n -> {
            assertThat(n.ip()).isEqualTo(gw);
            assertThat(n.mac()).isEqualTo(peerMac);
            assertThat(n.stateName()).isEqualTo("PERMANENT");
        });
        assertThat(h.fdb().listRemote(dev)).containsExactly(
                new RemoteFdbEntry(dev, peerMac, peerIp, Neighbour.NUD_PERMANENT, FdbEntry.NTF_SELF));
        assertThat(h.routes().list(Sockets.AF_INET)).filteredOn(r -> r.oif() == dev).singleElement().satisfies(r -> {
            assertThat(r.isOnlink()).isTrue();
            assertThat(r.gateway()).isEqualTo(gw);
            assertThat(r.destination()).isEqualTo(Cidr.parse("10.244.3.0/24"));
        });

        // A new destination for the same MAC replaces the old one (a peer that moved).
        h.apply(List.of(Fdb.remote(dev, peerMac, Cidr.parseAddress("192.168.77.3"))));
        assertThat(h.fdb().listRemote(dev)).extracting(RemoteFdbEntry::dst).containsExactly(Cidr.parseAddress("192.168.77.3"));

        List<Change> out = List.of(Routes.removal(route), Fdb.remoteRemoval(dev, peerMac, Cidr.parseAddress("192.168.77.3")),
                Neighbours.removal(dev, gw));
        assertThat(h.applyEach(out)).containsOnlyNulls();
        assertThat(h.applyEach(out)).as("removing what is gone is no failure").containsOnlyNulls();
        assertThat(Ip.json(ns, "neigh", "show", "dev", "flannel.1")).isEmpty();
        assertThat(Ip.bridgeJson(ns, "fdb", "show", "dev", "flannel.1")).isEmpty();
        assertThat(Ip.json(ns, "route", "show", "dev", "flannel.1")).isEmpty();
    }

    @Test
    void eachChangeInABatchSucceedsOrFailsAlone() {
        int dev = flannel().index();
        MacAddress mac = MacAddress.parse("02:aa:bb:cc:dd:01");
        List<NetlinkException> r = h.applyEach(List.of(
                Neighbours.permanent(dev, Cidr.parseAddress("10.244.4.0"), mac),
                Neighbours.permanent(9999, Cidr.parseAddress("10.244.5.0"), mac),
                Routes.replacement(Route.of(Cidr.parse("10.244.6.0/24"), Cidr.parseAddress("10.1.1.1"), 0)),
                Neighbours.permanent(dev, Cidr.parseAddress("10.244.7.0"), mac)));
        assertThat(r.get(0)).isNull();
        assertThat(r.get(1)).isNotNull().hasMessageContaining("neighbour replace 10.244.5.0").hasMessageContaining(ns)
                .hasMessageContaining("ENODEV");
        assertThat(r.get(2)).as("gateway not reachable").isNotNull().hasMessageContaining("route replace 10.244.6.0/24");
        assertThat(r.get(3)).isNull();
        assertThat(Ip.json(ns, "neigh", "show", "dev", "flannel.1")).extracting(n -> n.get("dst"))
                .containsExactlyInAnyOrder("10.244.4.0", "10.244.7.0");
    }

    @Test
    void aThousandPeersInFewDatagrams() {
        int dev = flannel().index();
        List<Change> neigh = new ArrayList<>(), fdb = new ArrayList<>(), routes = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            MacAddress mac = new MacAddress(new byte[] {2, 0, 0, 0, (byte) (i >> 8), (byte) i});
            InetAddress gw = Cidr.parseAddress("10." + (100 + i / 250) + "." + (i % 250) + ".0");
            neigh.add(Neighbours.permanent(dev, gw, mac));
            fdb.add(Fdb.remote(dev, mac, Cidr.parseAddress("192.168." + (100 + i / 250) + "." + (1 + i % 250))));
            routes.add(Routes.replacement(Route.onlink(new Cidr(gw, 24), gw, dev)));
        }
        h.apply(neigh);
        h.apply(fdb);
        h.apply(routes);
        assertThat(Ip.json(ns, "neigh", "show", "dev", "flannel.1")).hasSize(1000);
        assertThat(Ip.bridgeJson(ns, "fdb", "show", "dev", "flannel.1")).hasSize(1000);
        assertThat(Ip.json(ns, "route", "show", "dev", "flannel.1")).hasSize(1000);
        assertThat(h.fdb().listRemote(dev)).hasSize(1000);
    }

    @Test
    void routeGetNamesTheGatewayTheKernelWouldUse() {
        Route direct = h.routes().get(Cidr.parseAddress("192.168.77.9"));
        assertThat(direct.gateway()).isNull();
        assertThat(direct.oif()).isEqualTo(underlay);
        h.routes().add(Route.of(Cidr.parse("10.9.0.0/16"), Cidr.parseAddress("192.168.77.254"), 0));
        Route routed = h.routes().get(Cidr.parseAddress("10.9.1.1"));
        assertThat(routed.gateway()).isEqualTo(Cidr.parseAddress("192.168.77.254"));
        assertThat(Ip.json(ns, "route", "get", "10.9.1.1")).singleElement().satisfies(r -> assertThat(r)
                .containsEntry("gateway", "192.168.77.254").containsEntry("dev", "eth0"));
    }

    @Test
    void theWatchSeesRouteAndNeighbourChanges() {
        Root.assumeProgram("ip");
        int dev = flannel().index();
        try (NetlinkEvents w = NetlinkEvents.open(node,
                EnumSet.of(NetlinkEvents.Kind.LINK, NetlinkEvents.Kind.NEIGHBOUR, NetlinkEvents.Kind.ROUTE))) {
            w.awaitChange(50); // whatever setUp left queued
            assertThat(w.awaitChange(50)).isFalse();
            Ip.run("ip", "-n", ns, "route", "add", "10.244.8.0/24", "via", "10.244.8.0", "dev", "flannel.1", "onlink").ok();
            assertThat(w.awaitChange(2000)).isTrue();
            Ip.run("bridge", "-n", ns, "fdb", "append", "02:00:00:00:00:01", "dev", "flannel.1", "dst", "192.168.77.5",
                    "self", "permanent").ok();
            assertThat(w.awaitChange(2000)).isTrue();
            assertThat(h.fdb().listRemote(dev)).hasSize(1);
        }
    }
}
