package podnet.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import podnet.linux.testing.Ip;
import podnet.node.pod.PodRecord;
import podnet.node.testing.ClusterFabric;

/**
 * Three node agents on one L2 fabric with a private etcd: every pod reaches every other pod,
 * by ICMP and TCP, with vxlan and with host-gw; the kernel state matches flannel's, checked
 * with ip/bridge, and the leases with etcdctl.
 */
class NodeAgentTest {
    ClusterFabric f;
    final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));

    @AfterEach
    void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    private List<PodRecord> threeNodesWithAPodEach(BackendType backend) {
        f = ClusterFabric.flat("clag", 3);
        try { // a socket an earlier Kubernetes-mode agent left: this one enforces no policy and removes it
            podnet.cni.agent.AgentServer.start(NodeAgent.agentSocket(f.node(1).stateDir()), e -> null, m -> {}).close();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (int i = 1; i <= 3; i++) {
            f.startAgent(i, backend);
        }
        return List.of(f.pod(1, "c" + tag + "a"), f.pod(2, "c" + tag + "b"), f.pod(3, "c" + tag + "c"));
    }

    private void everyPairTalks(List<PodRecord> pods) {
        for (PodRecord from : pods) {
            for (PodRecord to : pods) {
                if (from != to) {
                    assertThat(ClusterFabric.eventually(Duration.ofSeconds(10), () -> ClusterFabric.ping(from, ClusterFabric.ip(to))))
                            .as("ping %s -> %s\n%s", from.name(), to.ip(), f.logs()).isTrue();
                    assertThat(f.tcp(from, to)).as("tcp %s -> %s", from.name(), to.ip()).isTrue();
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    @Test
    void vxlanPodsTalkAcrossEveryPairAndTheKernelLooksLikeFlannels() throws Exception {
        List<PodRecord> pods = threeNodesWithAPodEach(BackendType.VXLAN);
        everyPairTalks(pods);

        ClusterFabric.Node n1 = f.node(1);
        SubnetEnv env = SubnetEnv.read(n1.stateDir()).orElseThrow();
        assertThat(env.network()).hasToString(ClusterFabric.NETWORK);
        assertThat(env.mtu()).isEqualTo(1450);
        assertThat(Files.readString(SubnetEnv.path(n1.stateDir())))
                .contains("FLANNEL_SUBNET=" + podnet.linux.inet.Cidr.text(env.subnet().address()).replaceAll("\\.0$", ".1") + "/24")
                .contains("FLANNEL_IPMASQ=true");
        assertThat(pods.get(0).ip()).startsWith(env.subnet().toString().replaceAll("0/24$", ""));
        assertThat(NodeAgent.agentSocket(n1.stateDir())).as("etcd mode: no pod-event socket, a stale one removed").doesNotExist();
        assertThat(Files.readString(n1.stateDir().resolve("net.d").resolve(ClusterConflist.FILE))).doesNotContain("\"agent\"");

        Map<String, Object> dev = Ip.link(n1.netns().name(), "flannel.1");
        Map<String, Object> data = (Map<String, Object>) ((Map<String, Object>) dev.get("linkinfo")).get("info_data");
        assertThat(data).containsEntry("id", 1).containsEntry("port", 8472).containsEntry("learning", false)
                .containsEntry("local", n1.ip()).containsEntry("link", "eth0");
        assertThat(dev).containsEntry("mtu", 1450);
        assertThat(Ip.json(n1.netns().name(), "-4", "addr", "show", "dev", "flannel.1").get(0).toString())
                .contains(podnet.linux.inet.Cidr.text(env.subnet().address()));
        assertThat(Ip.json(n1.netns().name(), "neigh", "show", "dev", "flannel.1")).hasSize(2)
                .allSatisfy(n -> assertThat(n.get("state")).isEqualTo(List.of("PERMANENT")));
        assertThat(Ip.bridgeJson(n1.netns().name(), "fdb", "show", "dev", "flannel.1")).hasSize(2)
                .extracting(e -> e.get("dst")).containsExactlyInAnyOrder(f.node(2).ip(), f.node(3).ip());
        assertThat(Ip.json(n1.netns().name(), "route", "show", "dev", "flannel.1")).hasSize(2)
                .allSatisfy(r -> assertThat(r.get("flags")).isEqualTo(List.of("onlink")));

        String keys = f.etcd().etcdctl("get", "--prefix", "/coreos.com/network/subnets/", "--keys-only");
        assertThat(keys.lines().filter(l -> !l.isBlank())).hasSize(3);
        String config = f.etcd().etcdctl("get", "/coreos.com/network/config", "--print-value-only").strip();
        assertThat(config).isEqualTo("{\"Network\":\"10.244.0.0/16\",\"SubnetLen\":24,\"Backend\":{\"Type\":\"vxlan\"}}");
        String mine = f.etcd().etcdctl("get", "/coreos.com/network/subnets/" + env.subnet().address().getHostAddress() + "-24",
                "--print-value-only").strip();
        assertThat(mine).isEqualTo("{\"PublicIP\":\"" + n1.ip() + "\",\"BackendType\":\"vxlan\",\"BackendData\":{\"VNI\":1,\"VtepMAC\":\""
                + dev.get("address") + "\"}}");
    }

    @Test
    void hostGwPodsTalkAcrossEveryPairOverPlainRoutes() {
        List<PodRecord> pods = threeNodesWithAPodEach(BackendType.HOST_GW);
        everyPairTalks(pods);
        ClusterFabric.Node n1 = f.node(1);
        assertThat(Ip.json(n1.netns().name(), "link", "show")).extracting(l -> l.get("ifname")).doesNotContain("flannel.1");
        assertThat(Ip.json(n1.netns().name(), "-4", "route", "show", "dev", "eth0"))
                .filteredOn(r -> r.containsKey("gateway")).extracting(r -> r.get("gateway"))
                .containsExactlyInAnyOrder(f.node(2).ip(), f.node(3).ip());
        assertThat(SubnetEnv.read(n1.stateDir()).orElseThrow().mtu()).isEqualTo(1500);
    }
}
