package podnet.node.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.node.cluster.BackendType;
import podnet.node.cluster.NodeAgent;
import podnet.node.pod.PodRecord;
import podnet.node.testing.ClusterFabric;

/**
 * {@code podnet trace NODE/POD NODE/POD} between two nodes: every hop from pod to pod through
 * the tunnel and the underlay (the outer UDP 8472 packet decoded with its inner frame), and
 * the diagnosis naming what is missing where — neighbour, FDB entry, route — a packet too big
 * for the underlay, and UDP 8472 dropped between the nodes.
 */
class CrossNodeTraceTest {
    ClusterFabric f;
    final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));

    @AfterEach
    void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    private CrossNodeResult trace(String a, String b, Probe probe) {
        return CrossNodeTracer.trace(Endpoints.resolve(a, null, null), Endpoints.resolve(b, null, null), probe);
    }

    @Test
    void aTraceAcrossNodesAndWhatItSaysWhenPiecesGoMissing() throws Exception {
        Root.assumeProgram("nft");
        f = ClusterFabric.flat("cltrace", 2);
        f.startAgent(1, BackendType.VXLAN);
        NodeAgent second = f.startAgent(2, BackendType.VXLAN);
        PodRecord a = f.pod(1, "t" + tag + "a");
        PodRecord b = f.pod(2, "t" + tag + "b");
        String n1 = f.node(1).netns().name(), n2 = f.node(2).netns().name();
        String src = n1 + "/" + a.name(), dst = n2 + "/" + b.name();
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(10), () -> ClusterFabric.ping(a, ClusterFabric.ip(b)))).isTrue();

        CrossNodeResult ok = trace(src, dst, new Probe.Icmp());
        assertThat(ok.diagnosis().ok()).as(report(ok)).isTrue();
        for (int hop : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}) {
            assertThat(ok.seen(Sighting.Kind.REQUEST, hop)).as("request at hop %d\n%s", hop, report(ok)).isTrue();
        }
        assertThat(ok.sightings()).filteredOn(s -> s.hop().number() == 5).first().satisfies(s -> assertThat(s.summary())
                .contains(".8472: OTV, flags [I] (0x08), overlay 0, instance 1\nIP " + ClusterFabric.ip(a) + " > " + ClusterFabric.ip(b)
                        + ": ICMP echo request"));
        assertThat(report(ok)).contains("inner: IP " + ClusterFabric.ip(a)).contains("result: OK");

        // From here on the agents are stopped, so nothing repairs what the test takes away.
        f.stopAgents();
        String subnet2 = second.lease().subnet().toString();
        String gw2 = subnet2.replace(".0/24", ".0");
        var neigh = Ip.json(n1, "neigh", "show", "dev", "flannel.1").stream().filter(n -> gw2.equals(n.get("dst"))).findFirst().orElseThrow();
        String mac2 = (String) neigh.get("lladdr");

        Ip.run("ip", "-n", n1, "neigh", "del", gw2, "dev", "flannel.1").ok();
        CrossNodeResult noNeigh = trace(src, dst, new Probe.Icmp());
        assertThat(noNeigh.diagnosis().ok()).isFalse();
        assertThat(noNeigh.diagnosis().hop()).isEqualTo(4);
        assertThat(noNeigh.diagnosis().reason()).contains("neighbour entry missing on " + n1).contains(gw2).contains(mac2);
        Ip.run("ip", "-n", n1, "neigh", "replace", gw2, "lladdr", mac2, "dev", "flannel.1", "nud", "permanent").ok();

        Ip.run("bridge", "-n", n1, "fdb", "del", mac2, "dev", "flannel.1", "dst", f.node(2).ip(), "self").ok();
        CrossNodeResult noFdb = trace(src, dst, new Probe.Icmp());
        assertThat(noFdb.diagnosis().reason()).contains("FDB entry missing on " + n1).contains(mac2).contains(f.node(2).ip());
        Ip.run("bridge", "-n", n1, "fdb", "append", mac2, "dev", "flannel.1", "dst", f.node(2).ip(), "self", "permanent").ok();

        Ip.run("ip", "-n", n2, "route", "del", ((java.util.Map<?, ?>) Ip.json(n2, "route", "show", "dev", "flannel.1").get(0)).get("dst").toString()).ok();
        CrossNodeResult noRoute = trace(src, dst, new Probe.Icmp());
        assertThat(noRoute.diagnosis().hop()).as(report(noRoute)).isEqualTo(7);
        assertThat(noRoute.diagnosis().reason()).contains("route missing on " + n2);
        try (NetlinkHandle h = NetlinkHandle.open(f.node(2).netns())) {
            h.routes().replace(podnet.linux.netlink.Route.onlink(podnet.linux.inet.Cidr.parse(a.ip()).network(),
                    podnet.linux.inet.Cidr.parse(a.ip()).network().address(), h.links().require("flannel.1").index()));
        }
        assertThat(trace(src, dst, new Probe.Icmp()).diagnosis().ok()).isTrue();

        // node 2's underlay takes only 1400 bytes, as behind a switch port with a smaller MTU (veths do not
        // enforce MTU on receive, so the fabric drops what is longer): small packets pass, big ones do not.
        Ip.run("ip", "-n", n2, "link", "set", "eth0", "mtu", "1400").ok();
        fabricDrops("podnetmtu", "ip length > 1400");
        assertThat(trace(src, dst, new Probe.UdpSized(1000)).diagnosis().ok()).as("a datagram that fits gets its answer").isTrue();
        CrossNodeResult big = trace(src, dst, new Probe.UdpSized(1400));
        assertThat(big.diagnosis().ok()).as(report(big)).isFalse();
        assertThat(big.diagnosis().reason()).contains("packet too big for the underlay").contains("MTU 1400")
                .contains("1428 bytes of IP");
        Ip.run("ip", "-n", n2, "link", "set", "eth0", "mtu", "1500").ok();
        Ip.run("ip", "netns", "exec", f.fabric().name(), "nft", "delete table bridge podnetmtu").ok();

        // A firewall between the nodes: the bridge of the fabric drops UDP 8472.
        fabricDrops("podnettest", "udp dport 8472");
        CrossNodeResult dropped = trace(src, dst, new Probe.Icmp());
        assertThat(dropped.diagnosis().hop()).as(report(dropped)).isEqualTo(6);
        assertThat(dropped.diagnosis().reason()).contains("UDP 8472 dropped on the underlay");
    }

    /** A bridge-family table in the fabric namespace that drops what {@code match} matches on its way between nodes. */
    private void fabricDrops(String table, String match) {
        String ns = f.fabric().name();
        Ip.run("ip", "netns", "exec", ns, "nft", "add", "table", "bridge", table).ok();
        Ip.run("ip", "netns", "exec", ns, "nft", "add chain bridge " + table + " c1 { type filter hook forward priority 0 ; }").ok();
        Ip.run("ip", "netns", "exec", ns, "nft", "add rule bridge " + table + " c1 " + match + " drop").ok();
    }

    private static String report(CrossNodeResult r) {
        var out = new java.io.ByteArrayOutputStream();
        CrossNodeReport.print(r, new java.io.PrintStream(out, true));
        return out.toString();
    }
}
