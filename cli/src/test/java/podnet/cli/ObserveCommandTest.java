package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.testing.BridgeNode;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/** {@code podnet observe}: bad input, a JSON run in-process, and a backgrounded run stopped by SIGINT. */
class ObserveCommandTest {
    @TempDir
    Path state;

    @Test
    void badInputIsAUsageErrorAndNothingStarts() {
        Podnet p = new Podnet().stateDir(state);
        assertThat(p.run("observe", "--verdict", "lost").exit()).isEqualTo(2);
        assertThat(p.run("observe", "--verdict", "lost").err()).contains("--verdict lost: one of forwarded, dropped, error, seen");
        assertThat(p.run("observe", "--protocol", "sctp").err()).contains("one of tcp, udp, icmp, arp");
        assertThat(p.run("observe", "-o", "yaml").err()).contains("-o yaml: use table or json");
        assertThat(p.run("observe", "--last", "0").exit()).isEqualTo(2);
        assertThat(p.run("observe", "--seconds", "-1").exit()).isEqualTo(2);
        Podnet.Result missing = p.run("observe", "-n", "no-such-node-observe", "--seconds", "1");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("podnet: network namespace \"no-such-node-observe\" does not exist")
                .contains("podnet: hint:");
    }

    @Test
    void aPingBetweenPodsIsOneForwardedFlowInJson() throws Exception {
        Root.assume();
        try (TestNetns ns = new TestNetns("observe")) {
            BridgeNode node = BridgeNode.create(ns, 2);
            Podnet.Running run = new Podnet().stateDir(state)
                    .start("observe", "-n", node.node.name(), "--seconds", "4", "--protocol", "icmp", "-o", "json")
                    .awaitErr("observing", 20_000);
            assertThat(Ip.ping(node.pods.get(0).netns().name(), "10.244.2.3", 3)).isTrue();
            Podnet.Result r = run.result().get(20, TimeUnit.SECONDS).ok();
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> flows = (List<Map<String, Object>>) r.jsonObject().get("flows");
            assertThat(flows).allMatch(f -> ((String) f.get("protocol")).startsWith("icmp")); // ICMPv6 too: ND, MLD
            List<Map<String, Object>> v4 = flows.stream().filter(f -> f.get("protocol").equals("icmp")).toList();
            assertThat(v4).hasSize(1);
            Map<String, Object> f = v4.get(0);
            assertThat(f.get("verdict")).isEqualTo("FORWARDED");
            assertThat(f.get("sent")).isEqualTo(Map.of("packets", 3, "bytes", 294, "tcpFlags", ""));
            assertThat(f.get("replied")).isEqualTo(Map.of("packets", 3, "bytes", 294, "tcpFlags", ""));
            assertThat(r.err()).contains("kernel drop reasons: on");
        }
    }

    /**
     * A script's background job inherits SIGINT ignored; observe still stops on it, prints its
     * table, removes its trace instance and exits 0.
     */
    @Test
    void backgroundedInAScriptItStopsOnSigint() throws Exception {
        Root.assume();
        try (TestNetns ns = new TestNetns("observe")) {
            BridgeNode node = BridgeNode.create(ns, 2);
            Path out = state.resolve("out"), err = state.resolve("err");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String script = "'" + java + "' --enable-native-access=ALL-UNNAMED -cp '" + System.getProperty("java.class.path")
                    + "' podnet.cli.Main --state-dir '" + state + "' observe -n " + node.node.name()
                    + " >'" + out + "' 2>'" + err + "' & echo $!; wait $!; echo rc=$?";
            Process sh = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
            long pid = 0;
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(sh.getInputStream(), StandardCharsets.UTF_8))) {
                pid = Long.parseLong(lines.readLine().strip());
                long until = System.currentTimeMillis() + 20_000;
                while (System.currentTimeMillis() < until && !(Files.exists(err) && Files.readString(err).contains("observing"))) {
                    Thread.sleep(100);
                }
                assertThat(Ip.ping(node.pods.get(0).netns().name(), "10.244.2.3", 2)).isTrue();
                Thread.sleep(300);
                assertThat(new ProcessBuilder("kill", "-INT", Long.toString(pid)).start().waitFor()).isZero();
                assertThat(lines.readLine()).isEqualTo("rc=0");
            } finally {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // only if it did not stop
                sh.destroyForcibly();
            }
            assertThat(Files.readString(out)).contains("icmp").contains("10.244.2.2").contains("FORWARDED");
            assertThat(Files.readString(err)).contains("frames");
        }
    }
}
