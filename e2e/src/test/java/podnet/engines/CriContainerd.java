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
import podnet.cri.containerd.ContainerdClient;
import podnet.node.cri.ContainerdConfig;
import podnet.node.image.ContainerdImport;
import podnet.node.image.PodnetImages;

/**
 * A private containerd 1.6 with its CRI plugin, as a kubelet's node runs it, in a
 * {@link NodeSandbox}, configured by podnet's own {@link ContainerdConfig} (what
 * {@code podnet cri config --private DIR} writes): root, state, the gRPC socket (reached by
 * the test JVM's {@link CriClient} from outside the private mount namespace), runc's state and
 * the sandboxes' netns files under the test's directory; CNI {@code bin_dir}/{@code conf_dir}
 * the test's; {@code sandbox_image} podnet's pause. The images go in through podnet's own
 * importer ({@link ContainerdImport}, containerd's content/images/leases API), unless a test
 * asks for an empty store; {@code ctr} is the oracle.
 */
public final class CriContainerd implements AutoCloseable {
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
        return ContainerdConfig.socket(work);
    }

    static String config(Path work, Path cniBin, Path cniConf) {
        return new ContainerdConfig(null, cniBin, cniConf, work).toml();
    }

    /** Starts containerd in {@code node}, waits until CRI answers, imports podnet's images. */
    public static CriContainerd start(NodeSandbox node, Path work, Path cniBin, Path cniConf) throws IOException {
        CriContainerd c = startEmpty(node, work, cniBin, cniConf);
        try (ContainerdClient api = ContainerdClient.connect(socket(work), ContainerdClient.CRI_NAMESPACE)) {
            ContainerdImport.run(api, PodnetImages.images());
            ContainerdImport.awaitCri(c.client, List.of(PodnetImages.PAUSE, PodnetImages.BUSYBOX), Duration.ofSeconds(20));
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Starts containerd in {@code node} and waits until CRI answers; its image store stays empty. */
    public static CriContainerd startEmpty(NodeSandbox node, Path work, Path cniBin, Path cniConf) throws IOException {
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
        return new CriContainerd(node, work, daemon, client);
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
