package podnet.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import podnet.linux.inet.Cidr;
import podnet.linux.testing.Ip;
import podnet.node.pod.PodRecord;
import podnet.node.testing.ClusterFabric;

/**
 * The agent when things go wrong or change: racing for subnets, a port already taken, etcd
 * going away, someone deleting entries, a restart, a node leaving and coming back, a routed
 * underlay (vxlan crosses it, host-gw refuses).
 */
class ClusterFaultsTest {
    ClusterFabric f;
    final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));

    @AfterEach
    void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    private static String subnetsIn(ClusterFabric f) {
        return f.etcd().etcdctl("get", "--prefix", "/coreos.com/network/subnets/", "--keys-only");
    }

    private static List<Map<String, Object>> routesOn(ClusterFabric.Node n, String dev) {
        return Ip.json(n.netns().name(), "-4", "route", "show", "dev", dev);
    }

    @Test
    void agentsRacingForSubnetsGetDistinctOnes() throws Exception {
        f = ClusterFabric.flat("clrace", 3);
        List<NodeAgent> agents = List.of(
                f.startAgentNoWait(f.options(1, BackendType.VXLAN), f.node(1)),
                f.startAgentNoWait(f.options(2, BackendType.VXLAN), f.node(2)),
                f.startAgentNoWait(f.options(3, BackendType.VXLAN), f.node(3)));
        for (NodeAgent a : agents) {
            assertThat(a.awaitReady(Duration.ofSeconds(30))).as(f.logs()).isTrue();
        }
        Set<Cidr> subnets = agents.stream().map(a -> a.lease().subnet()).collect(Collectors.toSet());
        assertThat(subnets).hasSize(3);
        assertThat(subnetsIn(f).lines().filter(l -> !l.isBlank())).hasSize(3);
    }

    @Test
    void aTakenVxlanPortIsAClearErrorAndNothingIsMade() throws Exception {
        f = ClusterFabric.flat("clport", 1);
        ClusterFabric.Node n = f.node(1);
        // A process's UDP socket on 8472 in the node: flannel.1 can be created but not brought up.
        try (java.nio.channels.DatagramChannel squatter = n.netns().call(() -> java.nio.channels.DatagramChannel.open()
                .bind(new java.net.InetSocketAddress(8472)))) {
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            NodeAgent a = new NodeAgent(f.options(1, BackendType.VXLAN), new PrintStream(log, true, StandardCharsets.UTF_8), false);
            java.util.concurrent.CompletableFuture<Throwable> run = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    a.run();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Throwable failure;
            try {
                failure = run.get(20, TimeUnit.SECONDS);
            } finally {
                a.close();
            }
            assertThat(failure).isInstanceOf(ClusterException.class)
                    .hasMessageContaining("UDP port 8472 is in use in netns " + n.netns().name())
                    .satisfies(e -> assertThat(((ClusterException) e).hint()).contains("ip -d link show type vxlan"));
        }
        assertThat(Ip.json(n.netns().name(), "link", "show")).extracting(l -> l.get("ifname")).doesNotContain("flannel.1");
        assertThat(subnetsIn(f)).isBlank();
        assertThat(SubnetEnv.read(n.stateDir())).isEmpty();
    }

    @Test
    void withEtcdDownTrafficGoesOnRepairsStillHappenAndNewNodesWait() throws Exception {
        f = ClusterFabric.flat("cletcd", 3);
        f.startAgent(1, BackendType.VXLAN);
        NodeAgent second = f.startAgent(2, BackendType.VXLAN);
        PodRecord a = f.pod(1, "e" + tag + "a");
        PodRecord b = f.pod(2, "e" + tag + "b");
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(10), () -> ClusterFabric.ping(a, ClusterFabric.ip(b)))).as(f.logs()).isTrue();

        f.etcd().stop();
        assertThat(ClusterFabric.ping(a, ClusterFabric.ip(b))).as("existing traffic with etcd down").isTrue();
        String peer = second.lease().subnet().toString();
        Ip.run("ip", "-n", f.node(1).netns().name(), "route", "del", peer).ok();
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(10), () -> routesOn(f.node(1), "flannel.1").stream()
                .anyMatch(r -> peer.equals(r.get("dst"))))).as("repaired from the last known leases\n" + f.logs()).isTrue();

        NodeAgent third = f.startAgentNoWait(f.options(3, BackendType.VXLAN), f.node(3));
        assertThat(third.awaitReady(Duration.ofSeconds(3))).as("no lease without etcd").isFalse();
        assertThat(f.node(3).logText()).contains("cannot read the cluster's network").contains("unreachable")
                .contains("retrying in").contains("the data path stays as it is");
        f.etcd().start();
        assertThat(third.awaitReady(Duration.ofSeconds(30))).as(f.logs()).isTrue();
        PodRecord c = f.pod(3, "e" + tag + "c");
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(15), () -> ClusterFabric.ping(a, ClusterFabric.ip(c))))
                .as("the new node is reached once etcd is back\n" + f.logs()).isTrue();
    }

    @Test
    void deletedEntriesComeBackAndARestartDisturbsNothing() throws Exception {
        f = ClusterFabric.flat("clfix", 2);
        NodeAgent first = f.startAgent(1, BackendType.VXLAN);
        NodeAgent second = f.startAgent(2, BackendType.VXLAN);
        PodRecord a = f.pod(1, "r" + tag + "a");
        PodRecord b = f.pod(2, "r" + tag + "b");
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(10), () -> ClusterFabric.ping(a, ClusterFabric.ip(b)))).as(f.logs()).isTrue();
        String ns1 = f.node(1).netns().name();
        String peer = second.lease().subnet().toString();

        Ip.run("ip", "-n", ns1, "route", "del", peer).ok();
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(10), () -> routesOn(f.node(1), "flannel.1").size() == 1))
                .as("route back within 10 s\n" + f.logs()).isTrue();
        String mac = Ip.bridgeJson(ns1, "fdb", "show", "dev", "flannel.1").get(0).get("mac").toString();
        Ip.run("bridge", "-n", ns1, "fdb", "del", mac, "dev", "flannel.1", "dst", f.node(2).ip(), "self").ok();
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(10), () -> Ip.bridgeJson(ns1, "fdb", "show", "dev", "flannel.1").size() == 1))
                .as("FDB entry back within 10 s").isTrue();
        assertThat(f.node(1).logText()).contains("repaired");

        // A restart: same device, same entries, and a ping running through it loses nothing.
        Map<String, Object> before = Ip.link(ns1, "flannel.1");
        String neighBefore = Ip.json(ns1, "neigh", "show", "dev", "flannel.1").toString();
        Process ping = new ProcessBuilder("ip", "netns", "exec", a.netns(), "ping", "-c", "30", "-i", "0.1", "-W", "1",
                ClusterFabric.ip(b)).redirectErrorStream(true).start();
        try {
            first.close();
            f.startAgent(1, BackendType.VXLAN);
            assertThat(ping.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String out = new String(ping.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(out).contains("30 received");
        } finally {
            ping.destroyForcibly();
        }
        Map<String, Object> after = Ip.link(ns1, "flannel.1");
        assertThat(after.get("ifindex")).isEqualTo(before.get("ifindex"));
        assertThat(after.get("address")).isEqualTo(before.get("address"));
        assertThat(Ip.json(ns1, "neigh", "show", "dev", "flannel.1").toString()).isEqualTo(neighBefore);
        assertThat(first.lease().subnet()).isEqualTo(SubnetEnv.read(f.node(1).stateDir()).orElseThrow().subnet());
    }

    @Test
    void aNodeLeavesEverywhereAndRejoinsWithItsSubnet() throws Exception {
        f = ClusterFabric.flat("clleave", 2);
        f.startAgent(1, BackendType.VXLAN);
        NodeAgent second = f.startAgent(2, BackendType.VXLAN);
        Cidr subnet = second.lease().subnet();
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(10), () -> routesOn(f.node(1), "flannel.1").size() == 1)).isTrue();
        second.close();
        ClusterFabric.Node n2 = f.node(2);
        String said = ClusterNode.leave(n2.stateDir(), new PrintStream(new ByteArrayOutputStream()));
        assertThat(said).contains("left").contains(subnet.toString());
        assertThat(subnetsIn(f)).doesNotContain(subnet.address().getHostAddress() + "-24");
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(10), () -> routesOn(f.node(1), "flannel.1").isEmpty()))
                .as("the peer removes our entries\n" + f.logs()).isTrue();
        assertThat(Ip.json(f.node(1).netns().name(), "neigh", "show", "dev", "flannel.1")).isEmpty();
        assertThat(Ip.json(n2.netns().name(), "link", "show")).extracting(l -> l.get("ifname")).doesNotContain("flannel.1");
        assertThat(SubnetEnv.read(n2.stateDir())).isEmpty();
        assertThat(ClusterNode.leave(n2.stateDir(), new PrintStream(new ByteArrayOutputStream()))).contains("left already");

        NodeAgent again = f.startAgent(2, BackendType.VXLAN);
        assertThat(again.lease().subnet()).isEqualTo(subnet);
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(10), () -> routesOn(f.node(1), "flannel.1").size() == 1)).isTrue();
    }

    @Test
    void aRoutedUnderlayCarriesVxlanAndHostGwRefusesClearly() throws Exception {
        f = ClusterFabric.routed("clroute", 2);
        AgentOptions gw1 = withPrefix(f.options(1, BackendType.HOST_GW), "/hostgw");
        AgentOptions gw2 = withPrefix(f.options(2, BackendType.HOST_GW), "/hostgw");
        NodeAgent h1 = f.startAgent(gw1, f.node(1));
        NodeAgent h2 = f.startAgent(gw2, f.node(2));
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(10), () -> f.node(1).logText().contains("host-gw cannot reach")))
                .as(f.logs()).isTrue();
        assertThat(f.node(1).logText()).contains("is not on this node's L2 segment").contains("routed via 192.168.50.1")
                .contains("use --backend vxlan");
        assertThat(Ip.json(f.node(1).netns().name(), "-4", "route", "show")).extracting(r -> String.valueOf(r.get("dst")))
                .doesNotContain(h2.lease().subnet().toString());
        h1.close();
        h2.close();
        f.stopAgents();

        f.startAgent(withPrefix(f.options(1, BackendType.VXLAN), "/vx"), f.node(1));
        f.startAgent(withPrefix(f.options(2, BackendType.VXLAN), "/vx"), f.node(2));
        PodRecord a = f.pod(1, "u" + tag + "a");
        PodRecord b = f.pod(2, "u" + tag + "b");
        assertThat(Cidr.parse(a.ip()).network()).isNotEqualTo(Cidr.parse(b.ip()).network());
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(10), () -> ClusterFabric.ping(a, ClusterFabric.ip(b)))).as(f.logs()).isTrue();
        assertThat(f.tcp(b, a)).isTrue();
    }

    private static AgentOptions withPrefix(AgentOptions o, String prefix) {
        RegistrySpec.Etcd e = (RegistrySpec.Etcd) o.registry();
        return new AgentOptions(o.nodeName(), o.nodeNetns(), o.stateDir(), o.network(), o.iface(), o.publicIp(), new RegistrySpec.Etcd(e.endpoints(), prefix), o.cniConfDir(), o.ipMasq(),
                o.leaseTtl());
    }
}
