package podnet.engines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import podnet.cni.daemon.Podnetd;
import podnet.cri.CriClient;
import podnet.cri.api.ContainerConfig;
import podnet.cri.api.ContainerMetadata;
import podnet.cri.api.ContainerState;
import podnet.cri.api.ImageSpec;
import podnet.cri.api.LinuxPodSandboxConfig;
import podnet.cri.api.PodSandboxConfig;
import podnet.cri.api.PodSandboxMetadata;
import podnet.cri.api.PodSandboxState;
import podnet.cri.api.PodSandboxStatusResponse;
import podnet.cri.api.PortMapping;
import podnet.cri.api.Protocol;
import podnet.linux.testing.Ip;
import podnet.node.image.PodnetImages;

/**
 * The kubelet's path: containerd's CRI plugin runs pod sandboxes (podnet's pause image) on a
 * plugin set, driven by podnet's CRI client. Two sandboxes get addresses in the subnet and
 * ping each other; a hostPort of one reaches its busybox httpd from the node (node address and
 * localhost); the Kubernetes pod arguments reached the plugins; Stop/Remove leave no veth,
 * lease or NAT state. Prints RunPodSandbox → sandbox ready per set.
 */
class CriSandboxTest {
    static final String NAMESPACE = "podnet-e2e";
    static final int HOST_PORT = 8080;

    @TempDir
    Path work;

    @BeforeAll
    static void needs() {
        EngineAssumptions.assumeEngine("containerd", "ctr");
    }

    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("podnet.engines.CniPlugins#available")
    void sandboxesOnThePlugins(CniPlugins plugins) throws Exception {
        try (E2eNode node = new E2eNode(work, plugins)) {
            CriPluginDir dir = CriPluginDir.create(plugins, node.net, work.resolve("cri-cni"));
            PrivateMounts mounts = node.mounts();
            String set = plugins.label();
            if (plugins.label().equals("podnet") && !Files.exists(E2eNode.PODNETD_SOCKET)) {
                set = "podnet+podnetd";
                // the fast path: a podnetd of the test's serves podnet's exec shims, its socket
                // seen at /run/podnet/podnetd.sock inside the node sandbox
                Path podnetd = Files.createDirectories(work.resolve("podnetd"));
                node.onClose(Podnetd.start(podnetd.resolve("podnetd.sock"), System.err));
                mounts.bind(podnetd, E2eNode.PODNETD_SOCKET.getParent());
            }
            NodeSandbox sandbox = node.sandbox(mounts);
            Cmd.run("nsenter", "--net=/run/netns/" + node.nodeNetns, "ip", "link", "set", "lo", "up").ok();
            CriContainerd cri = node.onClose(CriContainerd.start(sandbox, work.resolve("containerd"), dir.bin(), dir.conf()));
            CriClient c = cri.client();

            // A first sandbox pays containerd's and the page cache's cold costs: timed apart.
            Timed cold = run(c, node, "cold", List.of());
            double coldRemove = remove(c, cold.id());
            print(set, "cold", cold.millis(), coldRemove);

            Timed a = run(c, node, "a", List.of(PortMapping.newBuilder().setProtocol(Protocol.TCP)
                    .setHostPort(HOST_PORT).setContainerPort(80).build()));
            Timed b = run(c, node, "b", List.of());
            String ipA = ip(c, a.id()), ipB = ip(c, b.id());
            assertThat(node.net.contains(ipA)).as("a's address %s", ipA).isTrue();
            assertThat(node.net.contains(ipB)).as("b's address %s", ipB).isTrue();
            assertThat(node.net.leases()).containsExactlyInAnyOrder(ipA, ipB);
            long pidA = pausePid(c, a.id()), pidB = pausePid(c, b.id());
            assertThat(ping(pidA, ipB)).as("a pings b").isTrue();
            assertThat(ping(pidB, ipA)).as("b pings a").isTrue();
            assertThat(Pids.exe(pidA).map(Path::toString).orElse("")).as("a's netns holder").endsWith("/pause");

            String web = c.createContainer(a.id(), ContainerConfig.newBuilder()
                    .setMetadata(ContainerMetadata.newBuilder().setName("web"))
                    .setImage(ImageSpec.newBuilder().setImage(PodnetImages.BUSYBOX))
                    .addAllCommand(List.of("sh", "-c", "mkdir -p /www && echo pod-a > /www/index.html && exec httpd -f -p 80 -h /www"))
                    .setLogPath("web.log").build(), a.config());
            c.startContainer(web);
            assertThat(c.containerStatus(web).getState()).isEqualTo(ContainerState.CONTAINER_RUNNING);
            assertThat(fetch(node, "10.244.2.1")).as("hostPort via the node's address").isEqualTo("pod-a");
            assertThat(fetch(node, "127.0.0.1")).as("hostPort via localhost").isEqualTo("pod-a");
            assertThat(c.execSync(web, List.of("cat", "/www/index.html"), 10).getStdout().toStringUtf8()).isEqualTo("pod-a\n");

            List<String> adds = dir.argsCalls().stream().filter(l -> l.startsWith("ADD ")).toList();
            assertThat(adds).anyMatch(l -> l.contains("K8S_POD_NAME=a") && l.contains("K8S_POD_NAMESPACE=" + NAMESPACE)
                    && l.contains("K8S_POD_UID=uid-a") && l.contains("K8S_POD_INFRA_CONTAINER_ID=" + a.id()));

            Set<Integer> ports = Ip.json(node.nodeNetns, "link", "show", "master", node.net.bridge()).stream()
                    .map(l -> ((Number) l.get("ifindex")).intValue()).collect(Collectors.toSet());
            assertThat(ports).hasSize(2);
            print(set, "a", a.millis(), remove(c, a.id()));
            print(set, "b", b.millis(), remove(c, b.id()));
            assertThat(c.listPodSandbox()).isEmpty();
            assertThat(node.net.leases()).as("leases after removal").isEmpty();
            assertThat(Ip.json(node.nodeNetns, "link", "show", "master", node.net.bridge())).as("bridge ports").isEmpty();
            assertThat(natLeftovers(node)).as("NAT state of the pods after removal").isEmpty();
        }
        EngineAssumptions.assertNothingLeft(work);
    }

    record Timed(String id, PodSandboxConfig config, double millis) {}

    private Timed run(CriClient c, E2eNode node, String name, List<PortMapping> ports) {
        PodSandboxConfig config = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setNamespace(NAMESPACE).setUid("uid-" + name))
                .setHostname(name)
                .setLogDirectory(work.resolve("logs/" + name).toString())
                .addAllPortMappings(ports)
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent("/" + node.cgroups.name() + "/" + name))
                .build();
        long t0 = System.nanoTime();
        String id = c.runPodSandbox(config);
        double ms = (System.nanoTime() - t0) / 1e6;
        assertThat(c.podSandboxStatus(id, false).getStatus().getState()).isEqualTo(PodSandboxState.SANDBOX_READY);
        return new Timed(id, config, ms);
    }

    private static double remove(CriClient c, String id) {
        long t0 = System.nanoTime();
        c.stopPodSandbox(id);
        c.removePodSandbox(id);
        return (System.nanoTime() - t0) / 1e6;
    }

    private static String ip(CriClient c, String id) {
        return c.podSandboxStatus(id, false).getStatus().getNetwork().getIp();
    }

    @SuppressWarnings("unchecked")
    private static long pausePid(CriClient c, String id) throws Exception {
        PodSandboxStatusResponse r = c.podSandboxStatus(id, true);
        Map<String, Object> info = JSON.std.mapFrom(r.getInfoOrThrow("info"));
        return ((Number) info.get("pid")).longValue();
    }

    private static boolean ping(long pid, String to) {
        return Cmd.run("nsenter", "--net=/proc/" + pid + "/ns/net", "ping", "-c", "2", "-i", "0.2", "-W", "2", to)
                .exit() == 0;
    }

    /**
     * GET / on the hostPort from a socket opened in the node netns (busybox's static wget
     * crashes in its resolver here, so the test is its own HTTP client).
     */
    static String fetch(E2eNode node, String address) {
        // StartContainer returns once the process runs, not once httpd listens: retry a refusal
        long deadline = System.nanoTime() + 10_000_000_000L;
        String r;
        while ((r = fetchOnce(node, address)).startsWith("GET failed") && System.nanoTime() < deadline) {
            Pids.sleep(100);
        }
        return r;
    }

    private static String fetchOnce(E2eNode node, String address) {
        try {
            return podnet.linux.ns.Netns.named(node.nodeNetns).call(() -> {
                try (java.net.Socket s = new java.net.Socket()) {
                    s.connect(new java.net.InetSocketAddress(java.net.InetAddress.getByName(address), HOST_PORT), 5000);
                    s.setSoTimeout(5000);
                    s.getOutputStream().write(("GET / HTTP/1.0\r\nHost: " + address + "\r\n\r\n").getBytes());
                    String reply = new String(s.getInputStream().readAllBytes());
                    int body = reply.indexOf("\r\n\r\n");
                    return body < 0 ? reply : reply.substring(body + 4).strip();
                }
            });
        } catch (RuntimeException e) {
            return "GET failed: " + e;
        }
    }

    /**
     * What a pod's NAT leaves when it is not cleaned up: the reference portmap's per-pod
     * iptables chains (CNI-DN-…) and podnet's per-pod nft chains (pm-…) and set elements.
     */
    private static List<String> natLeftovers(E2eNode node) {
        String netns = "--net=/run/netns/" + node.nodeNetns;
        List<String> left = new java.util.ArrayList<>(Cmd.run("nsenter", netns, "iptables-save", "-t", "nat").out().lines()
                .filter(l -> l.startsWith(":CNI-DN-") || l.contains("-j CNI-DN-")).toList());
        Cmd.run("nsenter", netns, "nft", "list", "ruleset").out().lines().map(String::strip)
                .filter(l -> l.startsWith("chain pm-") || l.startsWith("elements =")).forEach(left::add);
        return left;
    }

    private static void print(String set, String pod, double readyMillis, double removeMillis) {
        System.out.printf("e2e timing | cri        | %-14s | sandbox %-4s | RunPodSandbox → sandbox ready %7.1f ms | stop+remove %7.1f ms%n",
                set, pod, readyMillis, removeMillis);
    }
}
