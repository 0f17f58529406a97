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
 * podman 4.3 with its CNI backend, configured only through the test's own files
 * ({@code CONTAINERS_CONF}, {@code CONTAINERS_STORAGE_CONF}): plugin and config directories,
 * private root/runroot on vfs, cgroupfs, file events, and ulimits the sandbox can grant. It
 * runs in a {@link NodeSandbox} whose private /run holds its netns files and whose private
 * /dev/shm holds its locks. Each container's cgroup parent is {@code /TREE/NAME}.
 */
public final class Podman implements Engine {
    private final NodeSandbox node;
    private final Path work;
    private final Path rootfs;
    private final CgroupTree cgroups;
    private final PodNetworkConf net;
    private final Map<String, String> env;
    private final Map<String, Process> launching = new LinkedHashMap<>();

    private Podman(NodeSandbox node, Path work, Path rootfs, CgroupTree cgroups, PodNetworkConf net) {
        this.node = node;
        this.work = work;
        this.rootfs = rootfs;
        this.cgroups = cgroups;
        this.net = net;
        this.env = Map.of("CONTAINERS_CONF", work.resolve("containers.conf").toString(),
                "CONTAINERS_STORAGE_CONF", work.resolve("storage.conf").toString());
    }

    static String containersConf(Path work, CniPlugins plugins, PodNetworkConf net) {
        return """
                [containers]
                # The sandbox cannot grant podman's default nofile/nproc limits.
                default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

                [engine]
                cgroup_manager = "cgroupfs"
                events_logger = "file"
                events_logfile_path = "%s"
                runtime = "runc"
                tmp_dir = "%s"
                volume_path = "%s"

                [network]
                network_backend = "cni"
                cni_plugin_dirs = ["%s"]
                network_config_dir = "%s"
                default_network = "%s"
                """.formatted(work.resolve("events.log"), work.resolve("tmp"), work.resolve("volumes"),
                plugins.dir(), net.confDir(), net.name());
    }

    static String storageConf(Path work) {
        return """
                [storage]
                driver = "vfs"
                graphroot = "%s"
                runroot = "%s"
                """.formatted(work.resolve("root"), work.resolve("runroot"));
    }

    public static Podman create(NodeSandbox node, Path work, Path rootfs, CgroupTree cgroups,
            CniPlugins plugins, PodNetworkConf net) throws IOException {
        Files.createDirectories(work.resolve("tmp"));
        Files.writeString(work.resolve("containers.conf"), containersConf(work, plugins, net));
        Files.writeString(work.resolve("storage.conf"), storageConf(work));
        return new Podman(node, work, rootfs, cgroups, net);
    }

    @Override
    public String name() {
        return "podman";
    }

    private List<String> podmanCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of("podman", "--root", work.resolve("root").toString(),
                "--runroot", work.resolve("runroot").toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    Cmd.Result podman(String... args) {
        return node.exec(Duration.ofSeconds(60), env, podmanCommand(args));
    }

    @Override
    public void launch(String name) {
        launching.put(name, node.spawn(work.resolve("podman-run-" + name + ".log"), env,
                podmanCommand("run", "--detach", "--name", name, "--network", net.name(),
                        "--cgroup-parent", "/" + cgroups.name() + "/" + name,
                        "--rootfs", rootfs.toString(), "/bin/sleep", "3600")));
    }

    @Override
    public OptionalLong pid(String name) {
        // The container's own cgroup, not conmon's beside it.
        return cgroups.firstPid(name, dir -> dir.startsWith("libpod-"));
    }

    @Override
    public void awaitRunning(String name) {
        Process run = launching.remove(name);
        try {
            if (!run.waitFor(60, TimeUnit.SECONDS) || run.exitValue() != 0) {
                run.destroyForcibly();
                throw new AssertionError("podman run " + name + " failed: "
                        + Files.readString(work.resolve("podman-run-" + name + ".log")));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        String state = podman("inspect", "--format", "{{.State.Status}}", name).ok().out().strip();
        if (!state.equals("running")) {
            throw new AssertionError("podman container " + name + " is " + state);
        }
    }

    @Override
    public void remove(String name) {
        // rm -f stops the container and tears its network down in this podman process itself.
        podman("rm", "--force", "--time", "0", name).ok();
    }

    @Override
    public void close() {
        for (Process p : launching.values()) {
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        launching.clear();
        podman("rm", "--all", "--force", "--time", "0");
    }
}
