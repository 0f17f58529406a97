package podnet.engines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.node.cri.CriPodOptions;
import podnet.node.cri.CriPodRecord;
import podnet.node.cri.CriPods;
import podnet.node.cri.HostPortSpec;
import podnet.node.pod.PodException;
import podnet.node.pod.PodSpec;
import podnet.node.pod.PodStatus;

/**
 * podnet's CRI pod runtime ({@code pod run --runtime cri}) on a private containerd with
 * podnet's plugins: a busybox pod with a hostPort runs, lists with its IP, answers exec,
 * shows its output in logs and serves its hostPort; a missing image and a container that
 * cannot start are the runtime's errors with a hint, and leave no sandbox behind; rm removes
 * everything (no lease, no bridge port).
 */
class CriPodsTest {
    @TempDir
    Path work;

    @BeforeAll
    static void needs() {
        EngineAssumptions.assumeEngine("containerd", "ctr");
    }

    /** podnet's set when there is one (the default), else the reference. */
    static CniPlugins plugins() {
        List<CniPlugins> sets = CniPlugins.available().toList();
        org.junit.jupiter.api.Assumptions.assumeFalse(sets.isEmpty(), "no CNI plugin set");
        return sets.get(sets.size() - 1);
    }

    @Test
    void podsOnTheCriRuntime() throws Exception {
        try (E2eNode node = new E2eNode(work, plugins())) {
            CriPluginDir dir = CriPluginDir.create(node.plugins, node.net, work.resolve("cri-cni"));
            NodeSandbox sandbox = node.sandbox();
            Cmd.run("nsenter", "--net=/run/netns/" + node.nodeNetns, "ip", "link", "set", "lo", "up").ok();
            CriContainerd cri = node.onClose(CriContainerd.start(sandbox, work.resolve("containerd"), dir.bin(), dir.conf()));
            Path socket = CriContainerd.socket(work.resolve("containerd"));
            CriPods pods = new CriPods(work.resolve("state"));
            String cgroup = "/" + node.cgroups.name() + "/pods";

            CriPodRecord web = pods.run(PodSpec.single("web", List.of("sh", "-c",
                            "echo hello from web; mkdir -p /www && echo pod-web > /www/index.html && exec httpd -f -p 80 -h /www")),
                    new CriPodOptions(socket, null, List.of(HostPortSpec.parse("8080:80")), cgroup));
            assertThat(web.sandboxId()).isNotNull();
            PodStatus st = waitRunning(pods, "web");
            assertThat(node.net.contains(st.ipText())).as("ip %s", st.ipText()).isTrue();
            assertThat(pods.exec("web", null, List.of("cat", "/www/index.html"), 10).getStdout().toStringUtf8())
                    .isEqualTo("pod-web\n");
            assertThat(pods.exec("web", null, List.of("sh", "-c", "exit 7"), 10).getExitCode()).isEqualTo(7);
            assertThat(pods.logs("web", null)).contains("hello from web\n");
            assertThat(CriSandboxTest.fetch(node, "10.244.2.1")).isEqualTo("pod-web");

            assertThatThrownBy(() -> pods.run(PodSpec.single("noimg", List.of("sleep", "1")),
                    new CriPodOptions(socket, "localhost/podnet/nope:1", List.of(), cgroup)))
                    .isInstanceOfSatisfying(PodException.class, e -> {
                        assertThat(e.getMessage()).contains("image localhost/podnet/nope:1 is not in the runtime");
                        assertThat(e.hint()).contains("podnet image build");
                    });
            assertThat(work.resolve("state/pods/noimg")).doesNotExist();

            assertThatThrownBy(() -> pods.run(PodSpec.single("broken", List.of("/no/such/program")),
                    new CriPodOptions(socket, null, List.of(), cgroup)))
                    .isInstanceOfSatisfying(PodException.class, e -> {
                        assertThat(e.getMessage()).as("containerd's own words").contains("/no/such/program");
                        assertThat(e.hint()).contains("the half-made pod was removed");
                    });
            assertThat(work.resolve("state/pods/broken")).doesNotExist();
            assertThat(cri.client().listPodSandbox()).as("only web's sandbox").hasSize(1);

            assertThat(pods.remove("web")).isEmpty();
            assertThat(cri.client().listPodSandbox()).isEmpty();
            assertThat(pods.list("node")).isEmpty();
            assertThat(node.net.leases()).isEmpty();
            assertThat(Files.exists(work.resolve("state/pods/web"))).isFalse();
        }
        EngineAssumptions.assertNothingLeft(work);
    }

    private static PodStatus waitRunning(CriPods pods, String name) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            PodStatus s = pods.list("node").stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
            if (s.status().equals("Running") || System.nanoTime() > deadline) {
                assertThat(s.status()).isEqualTo("Running");
                return s;
            }
            Pids.sleep(50);
        }
    }
}
