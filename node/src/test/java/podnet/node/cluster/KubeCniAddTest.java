package podnet.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import podnet.cni.CniResponse;
import podnet.cni.PluginRunner;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Ip;
import podnet.node.testing.ClusterFabric;

/**
 * A Kubernetes pod is covered from its first packet: the agent (Kubernetes mode, fabric8's mock
 * API server) knows the labelled Pod objects, which never get an IP in the API here (kubelet has
 * not reported it yet); the real bridge plugin's ADD, with kubelet's CNI_ARGS, returns only once
 * the pod's address is in the node's sets (nft as the oracle), and the pod's first connection is
 * allowed or dropped as the policies say. Then: the API's later report of the IP changes nothing,
 * a reused address does not inherit the old pod's memberships, a DEL takes the elements out, and
 * with the agent gone (its socket left behind) an ADD fails with code 11 leaving nothing behind.
 */
class KubeCniAddTest {
    static final String API_IP = "192.168.50.3";
    static final int PORT = 8080;
    /** Held: java.util.logging keeps loggers weakly, and a collected one forgets its level. */
    static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");
    ClusterFabric f;
    KubernetesMockServer server;
    KubernetesClient admin;
    NodeHttpClients adminHttp;
    final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    final List<String[]> attached = new ArrayList<>(); // id, netns path: DEL'd at the end
    String bridgeConf;

    @AfterEach
    void tearDown() {
        try {
            for (String[] a : attached) {
                cni("DEL", a[0], a[1], "x", "x", null); // the netns goes with the fabric; the lease and veth here
            }
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
    void aPodsAddReturnsOnlyOnceItIsInTheSets() throws Exception {
        QUIET.setLevel(java.util.logging.Level.WARNING);
        f = ClusterFabric.flat("kadd", 1);
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
        admin.nodes().resource(new NodeBuilder().withNewMetadata().withName("node1").endMetadata()
                .withNewSpec().withPodCIDR("10.244.7.0/24").withPodCIDRs("10.244.7.0/24").endSpec().build()).create();
        Path kubeconfig = f.root().resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s"}}]
                users: [{name: agent, user: {token: test}}]
                contexts: [{name: mock, context: {cluster: mock, user: agent}}]
                current-context: mock
                """.formatted(url));
        AgentOptions o = f.options(1, BackendType.VXLAN);
        NodeAgent agent = f.startAgent(new AgentOptions(o.nodeName(), o.nodeNetns(), o.stateDir(), o.network(), o.iface(),
                o.publicIp(), new RegistrySpec.Kube(kubeconfig), o.cniConfDir(), o.ipMasq(), o.leaseTtl()), f.node(1));
        Path socket = NodeAgent.agentSocket(o.stateDir());
        bridgeConf = bridgeConf(o.stateDir());
        assertThat(bridgeConf).as("the agent's conflist names its socket").contains("\"agent\":\"" + socket + "\"");

        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).create();
        // web takes connections from clients only; a locked pod may send nothing.
        policy("web-from-clients", "{podSelector: {matchLabels: {app: web}}, ingress: [{from: [{podSelector: {matchLabels: {app: client}}}]}]}");
        policy("locked", "{podSelector: {matchLabels: {app: locked}}, policyTypes: [Egress]}");
        for (String[] p : new String[][] {{"web", "web"}, {"client", "client"}, {"other", "other"}, {"locked", "locked"},
                {"newcomer", "other"}, {"late", "client"}}) {
            pendingPod(p[0], p[1]);
        }
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(20), () -> agent.policies() != null
                && agent.policies().view().policies().size() == 2 && agent.policies().enforced() != null
                && agent.policies().enforced().policies().size() == 2)).as("agent enforces both\n" + f.logs()).isTrue();

        // ADD web: back with its address in ingress-isolated. No API pod has an IP.
        Netns webNs = f.namespaces.add("kw" + tag);
        String web = add("web", webNs);
        assertThat(set("ingress-isolated")).as("web in its ingress-isolated set when ADD returned").contains(web);
        try (Echo echo = new Echo(webNs, web)) {
            // A client's first connection is allowed (it is in the peer set already), others' dropped.
            Netns clientNs = f.namespaces.add("kc" + tag), otherNs = f.namespaces.add("ko" + tag);
            String client = add("client", clientNs);
            assertThat(echo.reachedFrom(clientNs)).as("client -> web at once\n" + f.logs()).isTrue();
            String other = add("other", otherNs);
            assertThat(echo.reachedFrom(otherNs)).as("other -> web: not a client").isFalse();
            try (Echo toOther = new Echo(otherNs, other)) {
                assertThat(toOther.reachedFrom(clientNs)).as("other is not isolated").isTrue();
                Netns lockedNs = f.namespaces.add("kl" + tag);
                String locked = add("locked", lockedNs);
                assertThat(set("egress-isolated")).contains(locked);
                assertThat(toOther.reachedFrom(lockedNs)).as("locked's first connection is dropped").isFalse();
            }
            assertThat(agent.policies().view().pods()).as("from the ADDs, not the API").hasSize(4);

            // The API's later report of the IP is no change: nothing enforced, the same sets.
            String logBefore = f.node(1).logText();
            List<String> setsBefore = allSets();
            runningPod("web", "web", web);
            runningPod("client", "client", client);
            assertThat(ClusterFabric.eventually(Duration.ofSeconds(10), () -> agent.policies().toString().contains("2 pods")))
                    .as(agent.policies().toString()).isTrue();
            Thread.sleep(500); // a burst is enforced 200 ms after it
            assertThat(agent.policies().enforced()).isEqualTo(agent.policies().view());
            assertThat(f.node(1).logText().substring(logBefore.length())).doesNotContain("network policy (");
            assertThat(allSets()).isEqualTo(setsBefore);

            // The client's DEL never reaches the agent; a newcomer gets its address: no client's rights for it.
            Netns newNs = f.namespaces.add("kn" + tag);
            assertThat(cni("DEL", clientNs.name(), clientNs.path().toString(), "shop", "client", Path.of("/nonexistent/agent.sock")).exitCode())
                    .isZero();
            attached.removeIf(a -> a[0].equals(clientNs.name()));
            assertThat(inAnySet()).as("the old elements are still there").contains(client);
            String reused = add("newcomer", newNs, "IP=" + client);
            assertThat(reused).isEqualTo(client);
            assertThat(inAnySet()).as("the newcomer is in no set").doesNotContain(client);
            assertThat(echo.reachedFrom(newNs)).as("newcomer -> web: dropped from its first packet").isFalse();
            Thread.sleep(500);
            assertThat(agent.policies().enforced()).as("the API's stale client at that address is ignored")
                    .isEqualTo(agent.policies().view());

            // A DEL takes web out before it returns.
            assertThat(cni("DEL", webNs.name(), webNs.path().toString(), "shop", "web", null).exitCode()).isZero();
            attached.removeIf(a -> a[0].equals(webNs.name()));
            assertThat(set("ingress-isolated")).doesNotContain(web);
        }

        // What the hook costs an ADD: with it and without ("agent": ""), alternating, same pod.
        Netns benchNs = f.namespaces.add("kb" + tag);
        pendingPod("bench", "client");
        List<Long> with = new ArrayList<>(), without = new ArrayList<>();
        for (int i = 0; i < 2 * BENCH_ROUNDS; i++) {
            boolean hook = i % 2 == 0;
            Path sock = hook ? null : Path.of("");
            long t0 = System.nanoTime();
            CniResponse r = cni("ADD", benchNs.name(), benchNs.path().toString(), "shop", "bench", sock);
            long t = System.nanoTime() - t0;
            assertThat(r.exitCode()).as(r.stdoutText()).isZero();
            assertThat(cni("DEL", benchNs.name(), benchNs.path().toString(), "shop", "bench", sock).exitCode()).isZero();
            if (i >= 4) {
                (hook ? with : without).add(t);
            }
        }
        System.err.printf("KubeCniAddTest: ADD (in-process bridge, node netns entered) median %.2f ms with the agent hook, "
                + "%.2f ms without, %d rounds each after 2 warm-up pairs (load %s)%n", median(with), median(without), with.size(),
                Files.readString(Path.of("/proc/loadavg")).strip());
        f.node(1).logText().lines().filter(l -> l.contains("CNI ADD of pod shop/bench")).skip(2 * BENCH_ROUNDS / 2 - 3)
                .forEach(l -> System.err.println("KubeCniAddTest: " + l));

        // The agent stops; its socket stays: an ADD fails with code 11 and leaves nothing behind.
        f.stopAgents();
        assertThat(socket).exists();
        Netns lateNs = f.namespaces.add("kt" + tag);
        List<String> linksBefore = links(), leasesBefore = leases(o.stateDir());
        CniResponse r = cni("ADD", lateNs.name(), lateNs.path().toString(), "shop", "late", null);
        assertThat(r.exitCode()).isNotZero();
        Map<String, Object> err = JSON.std.mapFrom(r.stdoutText());
        assertThat(err.get("code")).isEqualTo(11);
        assertThat((String) err.get("msg")).contains("shop/late").contains("nobody listens on " + socket);
        assertThat(links()).as("no veth left").isEqualTo(linksBefore);
        assertThat(leases(o.stateDir())).as("no lease left").isEqualTo(leasesBefore);
        assertThat(Ip.run("ip", "-n", lateNs.name(), "link", "show", "eth0").exit()).as("no eth0 in the pod").isNotZero();
    }

    static final int BENCH_ROUNDS = Integer.getInteger("podnet.kubeadd.rounds", 20);

    private static double median(List<Long> ns) {
        List<Long> l = new ArrayList<>(ns);
        java.util.Collections.sort(l);
        return l.get(l.size() / 2) / 1e6;
    }

    private String add(String name, Netns ns) throws IOException {
        return add(name, ns, null);
    }

    /** A CNI ADD as kubelet's runtime makes it; returns the pod's address. */
    private String add(String name, Netns ns, String extraArgs) throws IOException {
        String id = ns.name();
        CniResponse r = cni("ADD", id, ns.path().toString(), "shop", name, null, extraArgs);
        assertThat(r.exitCode()).as(r.stdoutText() + "\n" + f.logs()).isZero();
        attached.add(new String[] {id, ns.path().toString()});
        @SuppressWarnings("unchecked")
        Map<String, Object> ip = (Map<String, Object>) ((List<Object>) JSON.std.mapFrom(r.stdoutText()).get("ips")).get(0);
        String a = (String) ip.get("address");
        return a.substring(0, a.indexOf('/'));
    }

    private CniResponse cni(String cmd, String id, String netns, String ns, String name, Path socket) {
        return cni(cmd, id, netns, ns, name, socket, null);
    }

    private CniResponse cni(String cmd, String id, String netns, String ns, String name, Path socket, String extraArgs) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", cmd);
        env.put("CNI_CONTAINERID", id);
        env.put("CNI_NETNS", netns);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", "/opt/cni/bin:/usr/lib/cni");
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + ns + ";K8S_POD_NAME=" + name + ";K8S_POD_INFRA_CONTAINER_ID=" + id
                + (extraArgs == null ? "" : ";" + extraArgs));
        String conf = socket == null ? bridgeConf : bridgeConf.replaceFirst("\"agent\":\"[^\"]*\"", "\"agent\":\"" + socket + "\"");
        return f.node(1).netns().call(() -> PluginRunner.run("bridge", env, conf.getBytes(StandardCharsets.UTF_8)));
    }

    /** The conflist's bridge entry with the list's cniVersion and name, as a runtime hands it to the plugin. */
    @SuppressWarnings("unchecked")
    private static String bridgeConf(Path stateDir) throws IOException {
        Map<String, Object> list = JSON.std.mapFrom(Files.readString(stateDir.resolve("net.d").resolve(ClusterConflist.FILE)));
        Map<String, Object> b = new java.util.LinkedHashMap<>((Map<String, Object>) ((List<Object>) list.get("plugins")).get(0));
        b.put("cniVersion", list.get("cniVersion"));
        b.put("name", list.get("name"));
        return JSON.std.asString(b);
    }

    private void pendingPod(String name, String app) {
        admin.pods().inNamespace("shop").resource(pod(name, app).build()).create();
    }

    private void runningPod(String name, String app, String ip) {
        admin.pods().inNamespace("shop").resource(pod(name, app).withNewStatus().withPhase("Running").withPodIP(ip).endStatus().build()).update();
    }

    private static PodBuilder pod(String name, String app) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("shop").withLabels(Map.of("app", app)).endMetadata()
                .withNewSpec().withNodeName("node1").addNewContainer().withName("main").withImage("busybox")
                .addNewPort().withName("http").withContainerPort(PORT).endPort().endContainer().endSpec();
    }

    private void policy(String name, String spec) {
        NetworkPolicy np = admin.getKubernetesSerialization().unmarshal("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: %s, namespace: shop}
                spec: %s
                """.formatted(name, spec), NetworkPolicy.class);
        admin.network().v1().networkPolicies().inNamespace("shop").resource(np).create();
    }

    /** The addresses in one of the table's sets (nft as the oracle). */
    private List<String> set(String name) {
        Ip.Result r = Ip.run("ip", "netns", "exec", f.node(1).netns().name(), "nft", "list", "set", "inet", "podnet-policy", name);
        return r.exit() != 0 ? List.of() : Arrays.asList(r.out().split("[\\s,{}]+"));
    }

    /** Every token of every set's elements (the units' sets are named by hash). */
    private List<String> inAnySet() {
        return Arrays.asList(String.join("\n", allSets()).split("[\\s,{}]+"));
    }

    /** Every set's line of elements in the node's table. */
    private List<String> allSets() {
        Ip.Result r = Ip.run("ip", "netns", "exec", f.node(1).netns().name(), "nft", "list", "table", "inet", "podnet-policy");
        return r.out().lines().filter(l -> l.contains("elements")).map(String::strip).sorted().toList();
    }

    private List<String> links() {
        return Ip.run("ip", "-n", f.node(1).netns().name(), "-o", "link", "show").out().lines()
                .map(l -> l.split(":")[1].strip()).sorted().toList();
    }

    private static List<String> leases(Path stateDir) throws IOException {
        try (Stream<Path> s = Files.walk(stateDir.resolve("ipam"))) {
            return s.filter(Files::isRegularFile).map(Path::toString).sorted().toList();
        }
    }

    /** A TCP server in a pod's netns that echoes 5 bytes. */
    static final class Echo implements AutoCloseable {
        private final ServerSocket socket;
        private final String ip;

        Echo(Netns ns, String ip) {
            this.ip = ip;
            this.socket = ns.call(() -> {
                ServerSocket s = new ServerSocket();
                s.bind(new InetSocketAddress(ip, PORT));
                return s;
            });
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try (Socket c = socket.accept()) {
                        c.setSoTimeout(2000);
                        c.getOutputStream().write(c.getInputStream().readNBytes(5));
                    } catch (IOException e) {
                        // closed, or a client that went away
                    }
                }
            });
        }

        /** Whether the first connection from {@code from} gets its bytes back: 900 ms to connect, below the 1 s before the SYN is sent again. */
        boolean reachedFrom(Netns from) {
            try (Socket c = from.call(java.nio.channels.SocketChannel::open).socket()) {
                c.connect(new InetSocketAddress(ip, PORT), 900);
                c.setSoTimeout(2000);
                c.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                return "hello".equals(new String(c.getInputStream().readNBytes(5), StandardCharsets.US_ASCII));
            } catch (Exception e) {
                return false;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
