package podnet.engines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * A private containerd 1.6 (own root, state, socket and config; CRI and the other unneeded
 * plugins disabled) in a {@link NodeSandbox}, and {@code ctr run --rm --cni} as its client.
 * ctr runs the CNI plugins itself, from /opt/cni/bin with /etc/cni/net.d (not configurable in
 * 1.6): the sandbox ({@link E2eNode#mounts()}) binds the test's directories there. A container is left attached, because
 * only an attached {@code ctr run} calls CNI DEL when its task exits. The ctr namespace doubles
 * as the cgroup subtree ({@code /NAMESPACE/CONTAINER}, ctr's default cgroup path).
 */
public final class Containerd implements Engine {
    static final Path SOCKET = Path.of("/run/containerd/containerd.sock");
    static final List<String> DISABLED_PLUGINS = List.of("io.containerd.grpc.v1.cri",
            "io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs",
            "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.zfs",
            "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp",
            "io.containerd.internal.v1.tracing");

    private final NodeSandbox node;
    private final Path work;
    private final Path rootfs;
    private final CgroupTree cgroups;
    private final Process daemon;
    private final Map<String, Process> attached = new LinkedHashMap<>();

    private Containerd(NodeSandbox node, Path work, Path rootfs, CgroupTree cgroups, Process daemon) {
        this.node = node;
        this.work = work;
        this.rootfs = rootfs;
        this.cgroups = cgroups;
        this.daemon = daemon;
    }

    static String config(Path work) {
        return daemonConfig(work, SOCKET, DISABLED_PLUGINS);
    }

    /** The daemon's part of a private containerd's config: root, state, gRPC socket, no ttrpc/debug sockets. */
    static String daemonConfig(Path work, Path socket, List<String> disabledPlugins) {
        StringBuilder disabled = new StringBuilder();
        disabledPlugins.forEach(p -> disabled.append(disabled.isEmpty() ? "" : ", ").append('"').append(p).append('"'));
        return """
                version = 2
                root = "%s"
                state = "%s"
                disabled_plugins = [%s]

                [grpc]
                  address = "%s"

                [ttrpc]
                  address = ""

                [debug]
                  address = ""
                """.formatted(work.resolve("root"), work.resolve("state"), disabled, socket);
    }

    /** Starts containerd in {@code node} and waits until it answers. */
    public static Containerd start(NodeSandbox node, Path work, Path rootfs, CgroupTree cgroups) throws IOException {
        Files.createDirectories(work);
        Path config = Files.writeString(work.resolve("config.toml"), config(work));
        Process daemon = node.spawn(work.resolve("containerd.log"), Map.of(),
                List.of("containerd", "--config", config.toString()));
        Containerd c = new Containerd(node, work, rootfs, cgroups, daemon);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (c.ctr("version").exit() != 0) {
            if (!daemon.isAlive() || System.nanoTime() > deadline) {
                c.close();
                throw new AssertionError("containerd did not come up: " + Files.readString(work.resolve("containerd.log")));
            }
            Pids.sleep(50);
        }
        return c;
    }

    @Override
    public String name() {
        return "containerd";
    }

    private List<String> ctrCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ctr", "--address", SOCKET.toString(), "--namespace", cgroups.name()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    Cmd.Result ctr(String... args) {
        return node.exec(Duration.ofSeconds(60), Map.of(), ctrCommand(args));
    }

    @Override
    public void launch(String name) {
        // --rootfs carries no image config, hence no PATH: the command is an absolute path.
        attached.put(name, node.spawn(work.resolve("ctr-run-" + name + ".log"), Map.of(),
                ctrCommand("run", "--rm", "--cni", "--rootfs", rootfs.toString(), name, "/bin/sleep", "3600")));
    }

    @Override
    public OptionalLong pid(String name) {
        return cgroups.firstPid(name);
    }

    @Override
    public void awaitRunning(String name) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!ctr("task", "ls").out().lines().anyMatch(l -> l.startsWith(name + " ") && l.contains("RUNNING"))) {
            if (!attached.get(name).isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("ctr run " + name + " did not start its task: " + log(name));
            }
            Pids.sleep(20);
        }
    }

    @Override
    public void remove(String name) {
        // sleep is PID 1 in the container and ignores SIGTERM.
        ctr("task", "kill", "--signal", "SIGKILL", name).ok();
        Process run = attached.remove(name);
        try {
            if (!run.waitFor(60, TimeUnit.SECONDS)) {
                run.destroyForcibly();
                throw new AssertionError("ctr run " + name + " did not return after its task was killed: " + log(name));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    String log(String name) {
        try {
            return Files.readString(work.resolve("ctr-run-" + name + ".log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        for (var e : attached.entrySet()) {
            // Without the daemon there is nobody to ask; the sandbox and cgroup cleanup kill by PID.
            if (e.getValue().isAlive() && daemon.isAlive()) {
                ctr("task", "kill", "--signal", "SIGKILL", e.getKey());
            }
        }
        for (Process run : attached.values()) {
            try {
                if (!run.waitFor(20, TimeUnit.SECONDS)) {
                    run.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        attached.clear();
        Pids.stop(daemon.pid(), 10_000);
    }
}
