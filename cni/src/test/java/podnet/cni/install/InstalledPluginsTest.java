package podnet.cni.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.cni.testing.Cni;
import podnet.linux.ns.Netns;
import podnet.linux.ns.NsProcess;
import podnet.linux.testing.ChildProcess;
import podnet.linux.testing.Ip;
import podnet.linux.testing.TestNetns;

/** The installed executables (a JVM per call) work as CNI plugins, and survive SIGKILL mid-ADD. */
class InstalledPluginsTest {
    TestNetns ns;
    Netns node;
    @TempDir
    Path tmp;
    Path bin;

    @BeforeEach
    void setUp() {
        ns = new TestNetns("inst");
        node = ns.add("node");
        bin = tmp.resolve("bin");
        Installer.install(bin, tmp.resolve("conf"));
    }

    @AfterEach
    void tearDown() {
        ns.close();
    }

    String conf() {
        return """
                {"cniVersion":"1.0.0","name":"inst","type":"bridge","bridge":"cni0","isGateway":true,
                 "ipam":{"type":"host-local","dataDir":"%s","subnet":"10.244.7.0/24"}}""".formatted(tmp.resolve("ipam"));
    }

    Process start(String plugin, Cni c, String stdin) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(bin.resolve(plugin).toString());
        pb.environment().putAll(c.env());
        pb.environment().put("PODNET_SOCKET", tmp.resolve("no-podnetd.sock").toString()); // the one-shot path, whatever runs on this machine
        pb.environment().put("PODNET_AUTOSTART", "0"); // and no podnetd started for it
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = NsProcess.start(node, pb);
        if (stdin != null) { // null: the caller feeds it
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
        }
        return p;
    }

    @Test
    void writesExecutablesAndConflist() throws Exception {
        for (String p : List.of("bridge", "host-local", "portmap", "loopback")) {
            assertThat(Files.isExecutable(bin.resolve(p))).isTrue(); // the exec shim, or a script without cc
        }
        assertThat(Files.readString(bin.resolve(Installer.ONESHOT))).contains("podnet.cni.PluginMain", "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED", "-Xlog:disable");
        String list = Files.readString(tmp.resolve("conf/10-podnet.conflist"));
        assertThat(list).contains("\"cni0\"", "10.244.2.0/24", "\"isGateway\": true", "\"ipMasq\": true",
                "\"hairpinMode\": true", "host-local", "\"portmap\"", "\"portMappings\": true", "loopback");
        Installer.install(bin, null); // overwrites
    }

    @Test
    void executablesAddAndDelAPod() throws Exception {
        Netns pod = ns.add("pod");
        Cni add = Cni.of("ADD", "c1", pod.path().toString(), "eth0").withPath(bin);
        ChildProcess.Result r = ChildProcess.finish(start("bridge", add, conf()), null, Duration.ofSeconds(30));
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).startsWith("{").contains("10.244.7.2/24");
        assertThat(Ip.ping(pod.name(), "10.244.7.1", 1)).isTrue();
        assertThat(ChildProcess.finish(start("bridge", add.command("DEL"), conf()), null, Duration.ofSeconds(30)).exit())
                .isZero();
        assertThat(Ip.json(pod.name(), "link", "show")).hasSize(1);
    }

    @Test
    void sigkillDuringAddThenDelLeavesNothing() throws Exception {
        for (int round = 0; round < 6; round++) {
            Netns pod = ns.add("k" + round);
            Cni add = Cni.of("ADD", "kill" + round, pod.path().toString(), "eth0").withPath(bin);
            Process p = start("bridge", add, conf());
            Thread.sleep(ThreadLocalRandom.current().nextInt(50, 600));
            p.destroyForcibly(); // SIGKILL
            p.waitFor(10, TimeUnit.SECONDS);
            add.command("DEL").ours(node, "bridge", conf()).ok();
            assertThat(Ip.json(pod.name(), "link", "show")).as("round %d", round).hasSize(1);
            assertThat(Ip.json(node.name(), "link", "show", "type", "veth")).as("round %d", round).isEmpty();
            String[] files = tmp.resolve("ipam/inst").toFile().list();
            assertThat(files == null ? new String[0] : files).as("round %d", round).allMatch(f -> !f.startsWith("10."));
        }
    }

    @Test
    void theOneShotPathBoundsStdinAndNamesTheBuild() throws Exception {
        Netns pod = ns.add("big");
        Cni add = Cni.of("ADD", "big1", pod.path().toString(), "eth0").withPath(bin);
        String big = "{\"cniVersion\":\"1.0.0\",\"name\":\"inst\",\"pad\":\"" + "x".repeat(2 << 20) + "\"}";
        ChildProcess.Result r = ChildProcess.finish(start("bridge", add, null), big.getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(60));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("\"code\":6", "too large");
        for (String plugin : List.of("bridge", "host-local", "loopback")) {
            assertThat(podnet.cni.build.InstalledBuild.isCurrent(bin.resolve(plugin))).as(plugin).isTrue();
        }
    }

    @Test
    void theOneShotPathRefusesAFileThatIsNoNetworkNamespaceWithCodeFour() throws Exception {
        Path plain = Files.writeString(tmp.resolve("not-a-netns"), "");
        for (String netns : List.of("/proc/self/ns/mnt", plain.toString())) {
            Cni add = Cni.of("ADD", "nsf1", netns, "eth0").withPath(bin);
            ChildProcess.Result r = ChildProcess.finish(start("bridge", add, conf()), null, Duration.ofSeconds(60));
            assertThat(r.exit()).as(r.out()).isEqualTo(1);
            assertThat(r.out()).contains("\"code\":4", "CNI_NETNS", netns, "not a network namespace");
        }
        assertThat(Ip.json(node.name(), "link", "show")).as("nothing made in the node, not even the bridge").hasSize(1);
    }
}
