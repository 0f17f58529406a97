package podnet.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Ip;
import podnet.node.pod.PodRecord;
import podnet.node.testing.ClusterFabric;

/**
 * NetworkPolicy in the agent's Kubernetes mode, against fabric8's mock API server in CRUD mode:
 * two nodes (VXLAN), real pods on them, their Pod objects (labels, IP, node, a named container
 * port) and Namespaces and NetworkPolicies written to the API as kubelet and kubectl would, and
 * real TCP connections between the pods: a NetworkPolicy created in the API cuts traffic, its
 * deletion restores it, a relabelled pod changes membership, egress is enforced on the source's
 * node, and a policy of a namespace that does not exist yet applies once it does.
 */
class KubePolicyTest {
    static final String API_IP = "192.168.50.3";
    static final int HTTP = 8080;
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

    @Test
    void policiesFromTheApiCutAndRestoreRealTraffic() throws Exception {
        java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
        f = ClusterFabric.flat("clknp", 2);
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

        // Real pods: a client on node 1 (namespace front), a server on node 2 (namespace back).
        PodRecord client = f.pod(1, "k" + tag + "c"), srv = f.pod(2, "k" + tag + "s"), other = f.pod(1, "k" + tag + "o");
        namespace("front", Map.of("team", "front"));
        namespace("back", Map.of("team", "back"));
        pod("front", "client", client, "node1", Map.of("app", "client"));
        pod("back", "server", srv, "node2", Map.of("app", "server"));
        pod("back", "other", other, "node1", Map.of("app", "other"));
        try (Echo echo = new Echo(srv, HTTP)) {
            assertThat(eventually(() -> echo.reachedFrom(client))).as("no policy: client -> server\n" + f.logs()).isTrue();

            // A deny-all ingress in back, created in the API: traffic is cut; deleted: restored.
            policy("back", "deny-all", "{podSelector: {}, policyTypes: [Ingress]}");
            assertThat(eventually(() -> !echo.reachedFrom(client))).as("deny-all cuts client -> server\n" + f.logs()).isTrue();
            assertThat(echo.reachedFrom(other)).as("same for a pod of back on node 1").isFalse();
            admin.network().v1().networkPolicies().inNamespace("back").withName("deny-all").delete();
            assertThat(eventually(() -> echo.reachedFrom(client))).as("deleted: restored\n" + f.logs()).isTrue();

            // Membership by labels and a named port: only pods labelled role=client, on "http".
            policy("back", "clients-only", """
                    {podSelector: {matchLabels: {app: server}},
                     ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {role: client}}}],
                                ports: [{port: http}]}]}""");
            assertThat(eventually(() -> !echo.reachedFrom(client))).as("client not labelled role=client").isTrue();
            pod("front", "client", client, "node1", Map.of("app", "client", "role", "client"));
            assertThat(eventually(() -> echo.reachedFrom(client))).as("relabelled role=client: allowed\n" + f.logs()).isTrue();
            assertThat(echo.reachedFrom(other)).as("other is still not a client").isFalse();
            pod("front", "client", client, "node1", Map.of("app", "client"));
            assertThat(eventually(() -> !echo.reachedFrom(client))).as("label removed: cut again").isTrue();
            admin.network().v1().networkPolicies().inNamespace("back").withName("clients-only").delete();
            assertThat(eventually(() -> echo.reachedFrom(client))).as("restored").isTrue();

            // Egress is enforced where the traffic leaves: node 1 isolates its client, node 2 does not.
            policy("front", "no-egress", "{podSelector: {}, policyTypes: [Egress]}");
            assertThat(eventually(() -> !echo.reachedFrom(client))).as("egress deny-all on the client").isTrue();
            assertThat(nftSet(f.node(1), "egress-isolated")).contains(ClusterFabric.ip(client));
            assertThat(nftSet(f.node(2), "egress-isolated")).doesNotContain(ClusterFabric.ip(client));
            assertThat(echo.reachedFrom(other)).as("other (back) may still send").isTrue();
            admin.network().v1().networkPolicies().inNamespace("front").withName("no-egress").delete();
            assertThat(eventually(() -> echo.reachedFrom(client))).as("restored").isTrue();
        }

        // A policy of a namespace that does not exist yet is kept, and applies when it appears.
        PodRecord late = f.pod(2, "k" + tag + "l");
        policy("late", "deny-all", "{podSelector: {}}");
        assertThat(eventually(() -> a2.policies().view().policies().stream().anyMatch(p -> p.key().equals("late/deny-all"))))
                .as("kept without its namespace").isTrue();
        try (Echo echo = new Echo(late, HTTP)) {
            assertThat(echo.reachedFrom(client)).as("not a pod of late yet").isTrue();
            namespace("late", Map.of());
            pod("late", "web", late, "node2", Map.of("app", "web"));
            assertThat(eventually(() -> !echo.reachedFrom(client))).as("late appeared: its policy applies\n" + f.logs()).isTrue();
            admin.network().v1().networkPolicies().inNamespace("late").withName("deny-all").delete();
            assertThat(eventually(() -> echo.reachedFrom(client))).as("deleted: restored").isTrue();
        }
        assertThat(a1.policies().toString()).contains("here");
        assertThat(f.node(2).logText()).contains("network policy (");
    }

    private static boolean eventually(java.util.function.BooleanSupplier c) {
        return ClusterFabric.eventually(Duration.ofSeconds(15), c);
    }

    private static Node node(String name, String podCidr) {
        return new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withPodCIDR(podCidr).withPodCIDRs(podCidr).endSpec().build();
    }

    private static AgentOptions kube(AgentOptions o, Path kubeconfig) {
        return new AgentOptions(o.nodeName(), o.nodeNetns(), o.stateDir(), o.network(), o.iface(), o.publicIp(),
                new RegistrySpec.Kube(kubeconfig), o.cniConfDir(), o.ipMasq(), o.leaseTtl());
    }

    private void namespace(String name, Map<String, String> labels) {
        Namespace n = new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build();
        admin.namespaces().resource(n).createOr(op -> op.update());
    }

    /** The Pod object of a real pod, as kubelet reports it: node, IP, a named container port. */
    private void pod(String ns, String name, PodRecord real, String node, Map<String, String> labels) {
        Pod p = new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(labels).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("main").withImage("busybox")
                .addNewPort().withName("http").withContainerPort(HTTP).withProtocol("TCP").endPort().endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ClusterFabric.ip(real)).endStatus().build();
        admin.pods().inNamespace(ns).resource(p).createOr(op -> op.update());
        assertThat(admin.pods().inNamespace(ns).withName(name).get().getStatus().getPodIP()).isEqualTo(ClusterFabric.ip(real));
    }

    /** A NetworkPolicy created in the API ({@code spec} in YAML flow style), as kubectl would. */
    private void policy(String ns, String name, String spec) {
        NetworkPolicy np = admin.getKubernetesSerialization().unmarshal("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: %s, namespace: %s}
                spec: %s
                """.formatted(name, ns, spec.strip().replace("\n", "\n  ")), NetworkPolicy.class);
        admin.network().v1().networkPolicies().inNamespace(ns).resource(np).create();
    }

    private static List<String> nftSet(ClusterFabric.Node n, String set) {
        Ip.Result r = Ip.run("ip", "netns", "exec", n.netns().name(), "nft", "list", "set", "inet", "podnet-policy", set);
        return r.exit() != 0 ? List.of() : java.util.Arrays.asList(r.out().split("[\\s,{}]+"));
    }

    /** A TCP server on one port in a pod (in this JVM): answers each connection with what it reads. */
    static final class Echo implements AutoCloseable {
        private final ServerSocket socket;
        private final PodRecord pod;
        private final AtomicBoolean open = new AtomicBoolean(true);

        Echo(PodRecord pod, int port) {
            this.pod = pod;
            this.socket = Netns.named(pod.netns()).call(() -> {
                ServerSocket s = new ServerSocket();
                s.bind(new InetSocketAddress(ClusterFabric.ip(pod), port));
                return s;
            });
            Thread.ofVirtual().start(() -> {
                while (open.get()) {
                    try (Socket c = socket.accept()) {
                        c.setSoTimeout(2000);
                        c.getOutputStream().write(c.getInputStream().readNBytes(5));
                    } catch (IOException e) {
                        // closed, or a client that went away
                    }
                }
            });
        }

        /** Whether a new connection from {@code from} gets its bytes echoed (1 s to connect). */
        boolean reachedFrom(PodRecord from) {
            try (Socket c = Netns.named(from.netns()).call(java.nio.channels.SocketChannel::open).socket()) {
                c.connect(new InetSocketAddress(ClusterFabric.ip(pod), socket.getLocalPort()), 1000);
                c.setSoTimeout(2000);
                OutputStream out = c.getOutputStream();
                out.write("hello".getBytes(StandardCharsets.US_ASCII));
                InputStream in = c.getInputStream();
                return "hello".equals(new String(in.readNBytes(5), StandardCharsets.US_ASCII));
            } catch (Exception e) {
                return false;
            }
        }

        @Override
        public void close() throws IOException {
            open.set(false);
            socket.close();
        }
    }
}
