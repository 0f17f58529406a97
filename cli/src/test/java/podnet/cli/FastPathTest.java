package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import podnet.cni.PluginRunner;
import podnet.cni.daemon.Podnetd;
import podnet.cni.install.Installer;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;
import podnet.linux.ns.NsProcess;
import podnet.linux.testing.ChildProcess;
import podnet.linux.testing.Root;
import podnet.linux.testing.ThrowawayNamespaces;

/**
 * The installed executables, called like a runtime calls them from inside a node namespace:
 * once with no podnetd (the one-shot JVM path) and once through podnetd. Both give the same
 * result, and the daemon's work lands in the caller's node namespace, not its own.
 */
class FastPathTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("fast");
    Path bin;
    Path socket;
    Podnetd daemon;

    @BeforeEach
    void setUp() {
        Root.assume();
        bin = dir.resolve("bin");
        socket = dir.resolve("podnetd.sock");
        Installer.install(bin, dir.resolve("net.d"));
    }

    @AfterEach
    void tearDown() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void installWritesTheShimOneShotLauncherAndConflist() throws Exception {
        for (String plugin : PluginRunner.PLUGINS) {
            assertThat(bin.resolve(plugin)).isExecutable();
            // The build had cc: each plugin is a copy of the exec shim (ELF), not the script fallback.
            assertThat(Files.readAllBytes(bin.resolve(plugin))).startsWith(0x7f, 'E', 'L', 'F');
        }
        // The AOT cache is trained only for jars (the JDK does not archive class directories,
        // which is what `mvn test` runs from); when there is one, it is named by the build id.
        String oneshot = Files.readString(bin.resolve(Installer.ONESHOT));
        assertThat(oneshot).contains("podnet.cni.PluginMain");
        var aot = java.util.regex.Pattern.compile("-XX:AOTCache='([^']+)'").matcher(oneshot);
        if (aot.find()) {
            assertThat(Path.of(aot.group(1))).exists();
            assertThat(aot.group(1)).matches(".*/podnet-plugins-[0-9a-f]{16}\\.aot");
        }
        assertThat(Files.readString(dir.resolve("net.d").resolve(Installer.CONFLIST_NAME))).contains("10.244.2.0/24");
        // A different conflist is refused, and nothing is overwritten.
        Path conf = dir.resolve("net.d").resolve(Installer.CONFLIST_NAME);
        Files.writeString(conf, "{\"mine\": true}");
        Podnet.Result r = new Podnet().run("cni", "install", "--bin-dir", bin.toString(), "--conf-dir", conf.getParent().toString());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("--force");
        assertThat(Files.readString(conf)).isEqualTo("{\"mine\": true}");
        assertThat(new Podnet().run("cni", "install", "--bin-dir", bin.toString(), "--conf-dir", conf.getParent().toString(),
                "--force", "--subnet", "10.244.9.0/24").exit()).isZero();
        assertThat(Files.readString(conf)).contains("10.244.9.0/24");
        assertThat(new Podnet().run("cni", "install", "--bin-dir", bin.toString(), "--subnet", "nonsense").err())
                .contains("--subnet nonsense");
    }

    @Test
    void oneShotAndDaemonPathsGiveTheSameResultInTheCallersNamespace() throws Exception {
        Netns node = namespaces.add("node");
        Netns pod1 = namespaces.add("pod1");
        Netns pod2 = namespaces.add("pod2");
        String conf = """
                {"cniVersion":"1.0.0","name":"fast","type":"bridge","bridge":"cni0","isGateway":true,"ipMasq":true,
                 "ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"10.244.2.0/24"}]]}}
                """.formatted(dir.resolve("ipam"));

        Map<String, Object> oneShot = add(node, pod1, "c1", conf); // no podnetd: a fresh JVM
        daemon = Podnetd.start(socket, System.err);
        daemonOnly = true; // from here a broken daemon path fails the test instead of falling back
        Map<String, Object> viaDaemon = add(node, pod2, "c2", conf);

        assertThat(shape(viaDaemon)).isEqualTo(shape(oneShot));
        assertThat(ip(oneShot)).isEqualTo("10.244.2.2/24");
        assertThat(ip(viaDaemon)).isEqualTo("10.244.2.3/24");
        try (NetlinkHandle h = NetlinkHandle.open(node)) {
            int cni0 = h.links().require("cni0").index();
            assertThat(h.links().list().stream().filter(l -> l.masterIndex() == cni0)).hasSize(2);
        }
        try (NetlinkHandle root = NetlinkHandle.open()) {
            assertThat(root.links().get("cni0")).as("nothing in the daemon's own namespace").isEmpty();
        }
        assertThat(call(node, pod2, "c2", "DEL", conf).exit).isZero();
        daemon.close();
        daemon = null;
        Run refused = call(node, pod1, "c1", "DEL", conf);
        assertThat(refused.exit).as(refused.out).isEqualTo(1);
        assertThat(refused.out).as("no daemon and no fallback allowed").contains("\"code\":11");
        daemonOnly = false;
        assertThat(call(node, pod1, "c1", "DEL", conf).exit).isZero();
        try (var leases = Files.list(dir.resolve("ipam").resolve("fast"))) {
            assertThat(leases.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("lock", "last_reserved_ip.0");
        }
    }

    /** What must agree between the paths: interface names and order, sandbox, gateway, version. */
    @SuppressWarnings("unchecked")
    private static List<Object> shape(Map<String, Object> result) {
        List<Map<String, Object>> ifs = (List<Map<String, Object>>) result.get("interfaces");
        List<Map<String, Object>> ips = (List<Map<String, Object>>) result.get("ips");
        return List.of(result.get("cniVersion"), ifs.get(0).get("name"), ifs.size(), ifs.get(2).get("name"),
                ips.get(0).get("gateway"), ips.get(0).get("interface"));
    }

    @SuppressWarnings("unchecked")
    private static String ip(Map<String, Object> result) {
        return (String) ((List<Map<String, Object>>) result.get("ips")).get(0).get("address");
    }

    private Map<String, Object> add(Netns node, Netns pod, String id, String conf) throws Exception {
        Run r = call(node, pod, id, "ADD", conf);
        assertThat(r.exit).as(r.out).isZero();
        return JSON.std.mapFrom(r.out);
    }

    record Run(int exit, String out) {}

    /** Set while the daemon path is under test: the shim may not fall back to the one-shot JVM. */
    boolean daemonOnly;

    private Run call(Netns node, Netns pod, String id, String command, String conf) {
        ProcessBuilder pb = new ProcessBuilder(bin.resolve("bridge").toString());
        pb.environment().putAll(Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", id, "CNI_NETNS", pod.path().toString(),
                "CNI_IFNAME", "eth0", "CNI_PATH", bin.toString(), "PODNET_SOCKET", socket.toString(),
                "PODNET_AUTOSTART", "0")); // without the test's daemon: the one-shot path, not a started one
        if (daemonOnly) {
            pb.environment().put("PODNET_SHIM_NO_FALLBACK", "1");
        }
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        ChildProcess.Result r = ChildProcess.finish(NsProcess.start(node, pb), conf.getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(120));
        return new Run(r.exit(), r.out());
    }
}
