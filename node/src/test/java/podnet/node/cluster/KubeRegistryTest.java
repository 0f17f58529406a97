package podnet.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import podnet.linux.inet.Cidr;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Ip;
import podnet.node.pod.PodRecord;
import podnet.node.testing.ClusterFabric;

/**
 * Kubernetes mode against fabric8's mock API server in CRUD mode (no real kube-apiserver runs
 * on these machines), itself in a namespace on the fabric, so the agents' API connections can
 * only work if they leave through their node's namespace: the subnet is the Node's podCIDR,
 * flannel's annotations are published, peers come and go with a watch on Nodes.
 */
class KubeRegistryTest {
    static final String API_IP = "192.168.50.3";
    ClusterFabric f;
    KubernetesMockServer server;
    KubernetesClient admin;
    NodeHttpClients adminHttp;
    final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));

    @AfterEach
    void tearDown() {
        try {
            if (f != null) {
                f.stopAgents();
            }
            if (admin != null) {
                admin.close();
                adminHttp.close();
            }
            if (server != null) {
                server.destroy();
            }
        } finally {
            if (f != null) {
                f.close();
            }
        }
    }

    private static Node node(String name, String podCidr) {
        return new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withPodCIDR(podCidr).withPodCIDRs(podCidr).endSpec().build();
    }

    @Test
    void podCidrAnnotationsAndAWatchOnNodes() throws Exception {
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
        f = ClusterFabric.flat("clkube", 2);
        Netns api = f.addHost("api", API_IP);
        server = api.call(() -> {
            KubernetesMockServer s = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                    new KubernetesCrudDispatcher(), false);
            s.init(InetAddress.getByName(API_IP), 0);
            return s;
        });
        String url = "http://" + API_IP + ":" + server.getPort();
        adminHttp = new NodeHttpClients(api);
        admin = api.call(() -> new KubernetesClientBuilder()
                .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder().withMasterUrl(url).build())
                .withHttpClientFactory(adminHttp).build());
        admin.nodes().resource(node("node1", "10.244.7.0/24")).create();
        admin.nodes().resource(node("node2", "10.244.9.0/24")).create();
        Path kubeconfig = f.root().resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s"}}]
                users: [{name: agent, user: {token: test}}]
                contexts: [{name: mock, context: {cluster: mock, user: agent}}]
                current-context: mock
                """.formatted(url));

        NodeAgent a1 = f.startAgent(kube(f.options(1, BackendType.VXLAN), kubeconfig), f.node(1));
        NodeAgent a2 = f.startAgent(kube(f.options(2, BackendType.VXLAN), kubeconfig), f.node(2));
        assertThat(a1.lease().subnet()).isEqualTo(Cidr.parse("10.244.7.0/24"));
        assertThat(a2.lease().subnet()).isEqualTo(Cidr.parse("10.244.9.0/24"));

        Map<String, String> ann = admin.nodes().withName("node1").get().getMetadata().getAnnotations();
        String mac = (String) Ip.link(f.node(1).netns().name(), "flannel.1").get("address");
        assertThat(ann).containsEntry("flannel.alpha.coreos.com/backend-type", "vxlan")
                .containsEntry("flannel.alpha.coreos.com/backend-data", "{\"VNI\":1,\"VtepMAC\":\"" + mac + "\"}")
                .containsEntry("flannel.alpha.coreos.com/public-ip", f.node(1).ip())
                .containsEntry("flannel.alpha.coreos.com/kube-subnet-manager", "true");

        PodRecord p1 = f.pod(1, "k" + tag + "a");
        PodRecord p2 = f.pod(2, "k" + tag + "b");
        assertThat(p1.ip()).startsWith("10.244.7.");
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(10), () -> ClusterFabric.ping(p1, ClusterFabric.ip(p2))))
                .as(f.logs()).isTrue();

        // A third node appears through the watch, then goes.
        Node third = new NodeBuilder(node("node3", "10.244.11.0/24")).editMetadata()
                .addToAnnotations(Map.of("flannel.alpha.coreos.com/backend-type", "vxlan",
                        "flannel.alpha.coreos.com/backend-data", "{\"VNI\":1,\"VtepMAC\":\"02:00:00:00:00:33\"}",
                        "flannel.alpha.coreos.com/public-ip", "192.168.50.13")).endMetadata().build();
        admin.nodes().resource(third).create();
        String ns1 = f.node(1).netns().name();
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(10), () -> Ip.json(ns1, "route", "show", "dev", "flannel.1")
                .stream().anyMatch(r -> "10.244.11.0/24".equals(r.get("dst"))))).as(f.logs()).isTrue();
        assertThat(Ip.bridgeJson(ns1, "fdb", "show", "dev", "flannel.1")).anySatisfy(e -> assertThat(e)
                .containsEntry("mac", "02:00:00:00:00:33").containsEntry("dst", "192.168.50.13"));
        admin.nodes().withName("node3").delete();
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(10), () -> Ip.json(ns1, "route", "show", "dev", "flannel.1")
                .stream().noneMatch(r -> "10.244.11.0/24".equals(r.get("dst"))))).as(f.logs()).isTrue();

        // Leaving removes the annotations: the other node drops this one.
        a2.close();
        ClusterNode.leave(f.node(2).stateDir(), System.err);
        assertThat(admin.nodes().withName("node2").get().getMetadata().getAnnotations())
                .doesNotContainKey("flannel.alpha.coreos.com/public-ip");
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(10), () -> Ip.json(ns1, "route", "show", "dev", "flannel.1").isEmpty()))
                .as(f.logs()).isTrue();
        List<NodeInfo> nodes = ClusterNode.list(f.node(1).stateDir());
        assertThat(nodes).extracting(NodeInfo::name).containsExactly("node1");
    }

    private static AgentOptions kube(AgentOptions o, Path kubeconfig) {
        return new AgentOptions(o.nodeName(), o.nodeNetns(), o.stateDir(), o.network(), o.iface(), o.publicIp(),
                new RegistrySpec.Kube(kubeconfig), o.cniConfDir(), o.ipMasq(), o.leaseTtl());
    }
}
