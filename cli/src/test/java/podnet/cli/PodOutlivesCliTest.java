package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.ns.NamedNetns;
import podnet.linux.testing.ThrowawayNamespaces;

/**
 * {@code podnet pod run} in its own JVM (the real {@code main} with the real CNI runtime): when that JVM has exited, the pod is still running, and a later
 * invocation finds it from its record and removes it.
 */
class PodOutlivesCliTest {
    @TempDir
    Path state;
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("clisurv");
    String node;
    String pod = "survivor-" + Long.toHexString(System.nanoTime() & 0xfffff);
    Podnet podnet;

    @BeforeEach
    void setUp() {
        node = namespaces.name("node");
        namespaces.track(node);
        namespaces.track("podnet-" + pod);
        podnet = new Podnet().nodeNetns(node).stateDir(state);
        podnet.run("netns", "add", node).ok();
    }

    @AfterEach
    void tearDown() {
        if (Files.exists(state.resolve("pods").resolve(pod)) || NamedNetns.exists("podnet-" + pod)) {
            podnet.run("pod", "rm", pod);
        }
    }

    @Test
    void podKeepsRunningAfterTheCommandThatStartedItExits() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process cli = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "podnet.cli.Main",
                "--node-netns", node, "--state-dir", state.toString(), "pod", "run", pod, "--", "sleep", "3600")
                .redirectErrorStream(true).start();
        String output = new String(cli.getInputStream().readAllBytes());
        assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cli.exitValue()).as(output).isZero();
        assertThat(output).contains("pod/" + pod + " created");

        Map<String, Object> listed = podnet.run("-j", "pod", "list").ok().jsonList().get(0);
        assertThat(listed).containsEntry("name", pod).containsEntry("status", "Running").containsEntry("ready", "1/1");
        long pid = ((Number) ((Map<?, ?>) ((List<?>) listed.get("containers")).get(0)).get("pid")).longValue();
        ProcessHandle container = ProcessHandle.of(pid).orElseThrow();
        assertThat(container.isAlive()).isTrue();
        assertThat(container.parent().map(ProcessHandle::pid).orElse(0L)).isNotEqualTo(cli.pid());

        podnet.run("pod", "rm", pod).ok();
        // Now an orphan, it is reaped by whoever adopted it (init or a subreaper), not by us.
        for (int i = 0; i < 100 && container.isAlive(); i++) {
            Thread.sleep(50);
        }
        assertThat(container.isAlive()).isFalse();
        assertThat(NamedNetns.exists("podnet-" + pod)).isFalse();
    }
}
