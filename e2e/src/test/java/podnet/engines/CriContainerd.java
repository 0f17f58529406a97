package podnet.engines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import podnet.cri.CriClient;
import podnet.cri.CriException;
import podnet.cri.api.PodSandbox;
import podnet.node.image.PodnetImages;

/**
 * A private containerd 1.6 with its CRI plugin, as a kubelet's node runs it, in a
 * {@link NodeSandbox}: own root, state and config; the gRPC socket in the test's directory
 * (so the test JVM's {@link CriClient} reaches it from outside the private mount namespace);
 * CNI {@code bin_dir}/{@code conf_dir} set to the test's directories; {@code sandbox_image}
 * podnet's pause, imported (with podnet's busybox) by {@code ctr -n k8s.io images import} —
 * CRI itself has no import, only a registry pull. Sandbox netns files go to the private /run.
 */
public final class CriContainerd implements AutoCloseable {
    /** The plain e2e's disabled plugins, CRI enabled. */
    static final List<String> DISABLED_PLUGINS = Containerd.DISABLED_PLUGINS.stream()
            .filter(p -> !p.equals("io.containerd.grpc.v1.cri")).toList();

    private final NodeSandbox node;
    private final Path work;
    private final Process daemon;
    private final CriClient client;

    private CriContainerd(NodeSandbox node, Path work, Process daemon, CriClient client) {
        this.node = node;
        this.work = work;
        this.daemon = daemon;
        this.client = client;
    }

    public static Path socket(Path work) {
        return work.resolve("cri.sock");
    }

    static String config(Path work, Path cniBin, Path cniConf) {
        return Containerd.daemonConfig(work, socket(work), DISABLED_PLUGINS) + """

                [plugins."io.containerd.grpc.v1.cri"]
                  sandbox_image = "%s"
                  disable_apparmor = true
                  # the sandbox's -998 needs CAP_SYS_RESOURCE, which this machine's root lacks:
                  # clamp to containerd's own score (runc: "failed to update oom_score_adj")
                  restrict_oom_score_adj = true
                  enable_selinux = false
                  stream_server_address = "127.0.0.1"
                  stream_server_port = "0"
                  [plugins."io.containerd.grpc.v1.cri".containerd]
                    snapshotter = "overlayfs"
                    default_runtime_name = "runc"
                    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                      runtime_type = "io.containerd.runc.v2"
                      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                        SystemdCgroup = false
                  [plugins."io.containerd.grpc.v1.cri".cni]
                    bin_dir = "%s"
                    conf_dir = "%s"
                    max_conf_num = 1
                """.formatted(PodnetImages.PAUSE, cniBin, cniConf);
    }

    /** Starts containerd in {@code node}, waits until CRI answers, imports podnet's images. */
    public static CriContainerd start(NodeSandbox node, Path work, Path cniBin, Path cniConf) throws IOException {
        Files.createDirectories(work);
        Path config = Files.writeString(work.resolve("config.toml"), config(work, cniBin, cniConf));
        Process daemon = node.spawn(work.resolve("containerd.log"), Map.of(),
                List.of("containerd", "--config", config.toString()));
        CriClient client = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                if (client == null && Files.exists(socket(work))) {
                    client = CriClient.connect(socket(work));
                }
                if (client != null) {
                    client.version();
                    break;
                }
            } catch (CriException e) {
                // not up yet
            }
            if (!daemon.isAlive() || System.nanoTime() > deadline) {
                if (client != null) {
                    client.close();
                }
                Pids.stop(daemon.pid(), 5000);
                throw new AssertionError("containerd (CRI) did not come up: " + Files.readString(work.resolve("containerd.log")));
            }
            Pids.sleep(50);
        }
        CriContainerd c = new CriContainerd(node, work, daemon, client);
        try {
            for (PodnetImages.Built b : PodnetImages.build(work.resolve("images"))) {
                c.ctr("images", "import", b.archive().toString()).ok();
            }
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    public CriClient client() {
        return client;
    }

    /** ctr against this containerd in CRI's namespace (test peer: images only). */
    Cmd.Result ctr(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ctr", "--address", socket(work).toString(), "--namespace", "k8s.io"));
        cmd.addAll(List.of(args));
        return node.exec(Duration.ofSeconds(60), Map.of(), cmd);
    }

    String log() {
        try {
            return Files.readString(work.resolve("containerd.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** Stops and removes every sandbox the runtime still has, then stops containerd. */
    @Override
    public void close() {
        if (daemon.isAlive()) {
            try {
                for (PodSandbox s : client.listPodSandbox()) {
                    try {
                        client.stopPodSandbox(s.getId());
                        client.removePodSandbox(s.getId());
                    } catch (CriException e) {
                        // the node sandbox's cleanup kills by PID whatever is left
                    }
                }
            } catch (CriException e) {
                // containerd is going away anyway
            }
        }
        client.close();
        Pids.stop(daemon.pid(), 10_000);
    }
}
