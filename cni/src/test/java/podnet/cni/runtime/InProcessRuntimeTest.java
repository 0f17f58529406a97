package podnet.cni.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.cni.spec.CniError;
import podnet.linux.ns.Netns;
import podnet.linux.sysctl.Sysctl;
import podnet.linux.testing.Ip;
import podnet.linux.testing.TestNetns;

/** A conflist of our bridge, the reference tuning plugin (exec'd) and our loopback. */
class InProcessRuntimeTest {
    TestNetns ns;
    Netns node;
    @TempDir
    Path tmp;

    @BeforeEach
    void setUp() {
        ns = new TestNetns("rt");
        node = ns.add("node");
    }

    @AfterEach
    void tearDown() {
        ns.close();
    }

    Path conflist(String extraPlugin) throws Exception {
        Path f = tmp.resolve("10-test.conflist");
        Files.writeString(f, """
                {"cniVersion":"1.0.0","cniVersions":["0.4.0","1.0.0","1.1.0"],"name":"rtnet","plugins":[
                  {"type":"bridge","bridge":"cni0","isGateway":true,
                   "ipam":{"type":"host-local","subnet":"10.250.0.0/24","dataDir":"%s"}},
                  %s
                  {"type":"loopback"}]}""".formatted(tmp.resolve("ipam"), extraPlugin));
        return f;
    }

    @Test
    void addCheckDelThroughAChainWithAnExecdReferencePlugin() throws Exception {
        Netns pod = ns.add("pod");
        Path list = conflist("{\"type\":\"tuning\",\"sysctl\":{\"net.ipv4.conf.eth0.accept_redirects\":\"0\"},\"capabilities\":{\"mac\":true}},");
        InProcessRuntime rt = new InProcessRuntime(List.of(Path.of("/usr/lib/cni")), tmp.resolve("cache"));
        var att = new CniRuntime.Attachment("ctr1", pod.path(), "eth0", Map.of("IgnoreUnknown", "1", "K8S_POD_NAME", "p"),
                Map.of("mac", "0a:58:0a:fa:00:09"));
        String result = node.call(() -> rt.add(list, att));
        // tuning only speaks up to 1.0.0, so the list ran at 1.0.0
        assertThat(result).contains("\"cniVersion\":\"1.0.0\"", "10.250.0.2/24");
        assertThat(Sysctl.get(pod, "net/ipv4/conf/eth0/accept_redirects")).isEqualTo("0");
        assertThat(Ip.link(pod.name(), "eth0").get("address")).isEqualTo("0a:58:0a:fa:00:09");
        assertThat(Ip.link(pod.name(), "lo").get("flags").toString()).contains("UP");
        assertThat(tmp.resolve("cache/rtnet-ctr1-eth0")).exists();

        node.run(() -> rt.check(list, att));
        node.run(() -> rt.del(list, att));
        assertThat(tmp.resolve("cache/rtnet-ctr1-eth0")).doesNotExist();
        assertThat(Ip.json(pod.name(), "link", "show")).hasSize(1);
        node.run(() -> rt.del(list, att)); // again: idempotent
        assertThatThrownBy(() -> node.run(() -> rt.check(list, att))).isInstanceOf(CniError.class)
                .hasMessageContaining("no cached result");
    }

    @Test
    void theInstalledDefaultConflistWorksEndToEnd() throws Exception {
        podnet.linux.testing.Root.assumeProgram("nft");
        Netns a = ns.add("a"), b = ns.add("b");
        String conf = podnet.cni.install.NodeConflist.DEFAULT.withDataDir(tmp.resolve("ipam")).conflist();
        Path list = tmp.resolve("10-podnet.conflist");
        Files.writeString(list, conf);
        InProcessRuntime rt = new InProcessRuntime(List.of(Path.of("/usr/lib/cni")), tmp.resolve("cache"));
        var attA = new CniRuntime.Attachment("pod-a", a.path(), "eth0", Map.of("IgnoreUnknown", "1"), Map.of());
        var attB = new CniRuntime.Attachment("pod-b", b.path(), "eth0", Map.of("IgnoreUnknown", "1"), Map.of());
        String ra = node.call(() -> rt.add(list, attA));
        node.call(() -> rt.add(list, attB));
        assertThat(ra).contains("\"cniVersion\":\"1.1.0\"", "10.244.2.2/24");
        assertThat(Ip.json(a.name(), "route", "show", "default").toString()).contains("10.244.2.1");
        assertThat(Ip.ping(a.name(), "10.244.2.3", 2)).isTrue();
        String nft = Ip.run("ip", "netns", "exec", node.name(), "nft", "-j", "list", "ruleset").ok().out();
        assertThat(nft).contains("10.244.2.2", "10.244.2.3", "masquerade");
        node.run(() -> rt.check(list, attA));
        node.run(() -> rt.del(list, attA));
        node.run(() -> rt.del(list, attB));
        assertThat(Ip.run("ip", "netns", "exec", node.name(), "nft", "-j", "list", "ruleset").ok().out())
                .doesNotContain("10.244.2.2").doesNotContain("10.244.2.3");
        assertThat(Ip.json(node.name(), "link", "show", "type", "veth")).isEmpty();
    }

    @Test
    void gcReleasesWhatIsNotValidAndStatusReportsExhaustion() throws Exception {
        Netns a = ns.add("a"), b = ns.add("b");
        Path list = tmp.resolve("small.conflist");
        Files.writeString(list, """
                {"cniVersion":"1.0.0","name":"gcnet","plugins":[
                  {"type":"bridge","bridge":"cni0","ipam":{"type":"host-local","subnet":"10.251.0.0/29","dataDir":"%s"}},
                  {"type":"tuning"}]}""".formatted(tmp.resolve("ipam")));
        InProcessRuntime rt = new InProcessRuntime(List.of(Path.of("/usr/lib/cni")), tmp.resolve("cache"));
        var attA = new CniRuntime.Attachment("gc-a", a.path(), "eth0", Map.of(), Map.of());
        var attB = new CniRuntime.Attachment("gc-b", b.path(), "eth0", Map.of(), Map.of());
        node.call(() -> rt.add(list, attA));
        node.call(() -> rt.add(list, attB));
        node.run(() -> rt.status(list));
        // the runtime lost track of pod b (e.g. a crash): GC with only a valid
        node.run(() -> rt.gc(list, List.of(attA)));
        assertThat(tmp.resolve("ipam/gcnet").toFile().list()).contains("10.251.0.2").doesNotContain("10.251.0.3");
        assertThat(tmp.resolve("cache/gcnet-gc-b-eth0")).doesNotExist();
        assertThat(tmp.resolve("cache/gcnet-gc-a-eth0")).exists();
        // fill the /29 (.2-.6, gateway .1): STATUS says 50, no ADD can succeed
        for (int i = 0; i < 4; i++) {
            Netns p = ns.add("f" + i);
            var att = new CniRuntime.Attachment("fill" + i, p.path(), "eth0", Map.of(), Map.of());
            node.call(() -> rt.add(list, att));
        }
        assertThatThrownBy(() -> node.run(() -> rt.status(list))).isInstanceOf(CniError.class)
                .satisfies(e -> assertThat(((CniError) e).code()).isEqualTo(CniError.NOT_AVAILABLE));
    }

    @Test
    void chainsPortmapInProcessWithItsCapability() throws Exception {
        podnet.linux.testing.Root.assumeProgram("nft");
        Netns pod = ns.add("pod");
        Path list = conflist("{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true},\"snat\":true},");
        InProcessRuntime rt = new InProcessRuntime(List.of(Path.of("/usr/lib/cni")), tmp.resolve("cache"));
        var att = new CniRuntime.Attachment("pm1", pod.path(), "eth0", Map.of(),
                Map.of("portMappings", List.of(Map.of("hostPort", 18080, "containerPort", 80, "protocol", "tcp"))));
        node.call(() -> rt.add(list, att));
        String rules = Ip.run("ip", "netns", "exec", node.name(), "nft", "list", "ruleset").ok().out();
        assertThat(rules).contains("18080", "dnat ip to 10.250.0.2:80");
        node.run(() -> rt.del(list, att));
        assertThat(Ip.run("ip", "netns", "exec", node.name(), "nft", "list", "ruleset").ok().out()).doesNotContain("18080");
    }

    @Test
    void failedAddRunsDelAndThrowsThePluginsError() throws Exception {
        Netns pod = ns.add("pod");
        Path list = conflist("{\"type\":\"no-such-plugin\"},");
        InProcessRuntime rt = new InProcessRuntime(List.of(Path.of("/usr/lib/cni")), tmp.resolve("cache"));
        var att = new CniRuntime.Attachment("ctr2", pod.path(), "eth0", Map.of(), Map.of());
        assertThatThrownBy(() -> node.call(() -> rt.add(list, att))).isInstanceOf(CniError.class)
                .hasMessageContaining("no-such-plugin");
        assertThat(Ip.json(pod.name(), "link", "show")).hasSize(1);
        assertThat(tmp.resolve("ipam/rtnet").toFile().list()).containsExactlyInAnyOrder("lock", "last_reserved_ip.0");
    }

    @Test
    void aHungChainedPluginIsKilledAtTheTimeoutAndTheAddRolledBack() throws Exception {
        // "hang" answers VERSION, then hangs on everything else with a child of its own.
        Path bin = Files.createDirectory(tmp.resolve("bin")), pids = tmp.resolve("hang.pids");
        Files.writeString(bin.resolve("hang"), """
                #!/bin/sh
                [ "$CNI_COMMAND" = VERSION ] && exec echo '{"cniVersion":"1.0.0","supportedVersions":["1.0.0","1.1.0"]}'
                echo $$ >> %s
                sleep 300 & echo $! >> %s
                wait
                """.formatted(pids, pids));
        Files.setPosixFilePermissions(bin.resolve("hang"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Netns pod = ns.add("pod");
        Path list = conflist("{\"type\":\"hang\"},");
        InProcessRuntime rt = new InProcessRuntime(List.of(bin, Path.of("/usr/lib/cni")), tmp.resolve("cache"),
                java.time.Duration.ofSeconds(1));
        var att = new CniRuntime.Attachment("hung1", pod.path(), "eth0", Map.of(), Map.of());
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> node.call(() -> rt.add(list, att))).isInstanceOf(CniError.class)
                .hasMessageContaining("plugin type=\"hang\" ADD:").hasMessageContaining("did not finish within 1 s and was killed")
                .satisfies(e -> assertThat(((CniError) e).code()).isEqualTo(CniError.INTERNAL));
        // its ADD and the rollback's DEL of it (a plugin's DEL is its chance to clean up): a timeout each
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0)).isLessThan(java.time.Duration.ofSeconds(12));
        for (String pid : Files.readAllLines(pids)) {
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(h -> assertThat(h.onExit()).succeedsWithin(java.time.Duration.ofSeconds(5)));
        }
        assertThat(Files.readAllLines(pids)).as("hang ran for ADD and for the rollback's DEL, with a child each").hasSize(4);
        assertThat(Ip.json(pod.name(), "link", "show")).as("the pod's eth0 is gone again").hasSize(1);
        assertThat(Ip.json(node.name(), "link", "show", "type", "veth")).isEmpty();
        assertThat(tmp.resolve("ipam/rtnet").toFile().list()).containsExactlyInAnyOrder("lock", "last_reserved_ip.0");
        assertThat(tmp.resolve("cache/rtnet-hung1-eth0")).doesNotExist();
    }
}
