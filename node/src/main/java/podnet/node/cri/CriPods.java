package podnet.node.cri;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import podnet.cri.CriClient;
import podnet.cri.CriException;
import podnet.cri.api.ContainerConfig;
import podnet.cri.api.ContainerMetadata;
import podnet.cri.api.ContainerState;
import podnet.cri.api.ContainerStatus;
import podnet.cri.api.ExecSyncResponse;
import podnet.cri.api.ImageSpec;
import podnet.cri.api.LinuxPodSandboxConfig;
import podnet.cri.api.PodSandboxConfig;
import podnet.cri.api.PodSandboxMetadata;
import podnet.cri.api.PodSandboxState;
import podnet.cri.api.PodSandboxStatus;
import podnet.linux.fs.DirectoryTree;
import podnet.node.pod.ContainerSpec;
import podnet.node.pod.PodException;
import podnet.node.pod.PodSpec;
import podnet.node.pod.PodStatus;
import podnet.node.pod.PodStore;

/**
 * Pods on a CRI runtime (containerd), the kubelet's way: RunPodSandbox (the runtime makes the
 * netns, starts the pause container and calls CNI with the pod's name, namespace, uid and
 * hostPorts), then CreateContainer + StartContainer per container. podnet keeps only the ids,
 * in {@code <state>/pods/<name>/cri.json}, beside the process runtime's pods (one name space
 * for both). A pod that fails half-way is removed from the runtime again.
 */
public final class CriPods {
    public static final Path DEFAULT_SOCKET = CriClient.DEFAULT_SOCKET;
    public static final String NAMESPACE = "default";
    static final String RECORD = "cri.json";
    private static final long STOP_GRACE_SECONDS = 3;

    private final PodStore store;

    public CriPods(Path stateDir) {
        this.store = new PodStore(stateDir);
    }

    /** Whether {@code name} is a CRI pod of this state directory. */
    public boolean isCri(String name) {
        return Files.exists(store.dir(name).resolve(RECORD));
    }

    public CriPodRecord run(PodSpec spec, CriPodOptions opts) {
        String name = spec.name();
        if (store.exists(name)) {
            throw new PodException("pod " + name + " exists already",
                    "pick another name, or remove it with `podnet pod rm " + name + "`");
        }
        try (CriClient c = connect(opts.socket())) {
            call(opts, () -> c.version());
            if (call(opts, () -> c.imageStatus(opts.image())).isEmpty()) {
                throw new PodException("image " + opts.image() + " is not in the runtime at " + opts.socket(),
                        CriErrors.imageHint(opts.image()));
            }
            Path dir = claim(name);
            CriPodRecord r = new CriPodRecord(name, opts.socket().toString(), null, opts.image(),
                    opts.ports().stream().map(HostPortSpec::toString).toList(), Instant.now(), List.of());
            save(dir, r);
            try {
                PodSandboxConfig sandbox = sandboxConfig(spec, opts, dir);
                r = r.withSandbox(c.runPodSandbox(sandbox));
                save(dir, r);
                for (ContainerSpec cs : spec.containers()) {
                    String id = c.createContainer(r.sandboxId(), ContainerConfig.newBuilder()
                            .setMetadata(ContainerMetadata.newBuilder().setName(cs.name()))
                            .setImage(ImageSpec.newBuilder().setImage(opts.image()))
                            .addAllCommand(cs.command())
                            .setLogPath(cs.name() + ".log")
                            .build(), sandbox);
                    r = r.withContainer(new CriPodRecord.Container(cs.name(), id));
                    save(dir, r);
                    c.startContainer(id);
                }
                return r;
            } catch (RuntimeException e) {
                List<String> left = removeQuietly(c, r);
                DirectoryTree.delete(dir);
                String msg = e.getMessage() == null ? e.toString() : e.getMessage();
                String hint = e instanceof CriException ce ? CriErrors.of(ce, opts.socket(), opts.image()).hint()
                        : "see the message; PODNET_DEBUG=1 shows a stack trace";
                throw new PodException(msg, hint + (left.isEmpty()
                        ? "; the half-made pod was removed" : "; cleanup problems: " + left), e);
            }
        }
    }

    public CriPodRecord require(String name) {
        Path f = store.dir(name).resolve(RECORD);
        if (!Files.exists(f)) {
            throw new PodException("no pod " + name, "see `podnet pod list` for the pods on this node");
        }
        try {
            return CriPodRecord.fromJson(JSON.std.mapFrom(Files.readString(f)));
        } catch (IOException | RuntimeException e) {
            throw new PodException("pod " + name + ": unreadable record " + f + ": " + e.getMessage(),
                    "remove it with `podnet pod rm " + name + "`", e);
        }
    }

    /** The CRI pods of this state directory, as `pod list` shows them (Unknown if the runtime is away). */
    public List<PodStatus> list(String node) {
        List<PodStatus> out = new ArrayList<>();
        Path pods = store.dir("x").getParent();
        if (!Files.isDirectory(pods)) {
            return out;
        }
        Instant now = Instant.now();
        try (Stream<Path> s = Files.list(pods)) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                if (isCri(name)) {
                    out.add(status(require(name), node, now));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("list " + pods, e);
        }
        return out;
    }

    private PodStatus status(CriPodRecord r, String node, Instant now) {
        Duration age = Duration.between(r.created(), now);
        if (r.sandboxId() == null) {
            return new PodStatus(r.name(), 0, r.containers().size(), "Pending", 0, age, null, node, List.of());
        }
        try (CriClient c = CriClient.connect(Path.of(r.socket()))) {
            PodSandboxStatus s = c.podSandboxStatus(r.sandboxId(), false).getStatus();
            List<PodStatus.Container> cs = new ArrayList<>();
            for (CriPodRecord.Container rc : r.containers()) {
                ContainerStatus st = c.containerStatus(rc.id());
                boolean running = st.getState() == ContainerState.CONTAINER_RUNNING;
                Integer code = st.getState() == ContainerState.CONTAINER_EXITED ? st.getExitCode() : null;
                cs.add(new PodStatus.Container(rc.name(), 0, running, code));
            }
            int ready = (int) cs.stream().filter(PodStatus.Container::running).count();
            String status = s.getState() != PodSandboxState.SANDBOX_READY ? "NotReady"
                    : ready > 0 ? "Running"
                    : !cs.isEmpty() && cs.stream().allMatch(x -> x.exitCode() != null && x.exitCode() == 0) ? "Completed"
                    : "Error";
            String ip = s.getNetwork().getIp().isEmpty() ? null : s.getNetwork().getIp();
            return new PodStatus(r.name(), ready, cs.size(), status, 0, age, ip, node, cs);
        } catch (CriException e) {
            return new PodStatus(r.name(), 0, r.containers().size(), e.notFound() ? "Lost" : "Unknown", 0, age,
                    null, node, List.of());
        }
    }

    /** ExecSync in the pod's container ({@code container} null: the first). */
    public ExecSyncResponse exec(String name, String container, List<String> cmd, long timeoutSeconds) {
        CriPodRecord r = require(name);
        CriPodRecord.Container target = container(r, container);
        Path socket = Path.of(r.socket());
        try (CriClient c = connect(socket)) {
            return c.execSync(target.id(), cmd, timeoutSeconds);
        } catch (CriException e) {
            throw CriErrors.of(e, socket, r.image());
        }
    }

    /** What the container wrote (stdout and stderr), from the runtime's log file. */
    public String logs(String name, String container) {
        CriPodRecord r = require(name);
        Path log = logDir(store.dir(name)).resolve(container(r, container).name() + ".log");
        try {
            return Files.exists(log) ? CriLog.text(Files.readAllLines(log)) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("read " + log, e);
        }
    }

    /** Stops and removes the sandbox (its containers with it) and the record; returns the problems met. */
    public List<String> remove(String name) {
        CriPodRecord r = require(name);
        List<String> problems;
        try (CriClient c = CriClient.connect(Path.of(r.socket()))) {
            problems = removeQuietly(c, r);
        } catch (CriException e) {
            problems = new ArrayList<>(List.of("runtime at " + r.socket() + ": " + e.getMessage()
                    + " (its sandbox " + r.sandboxId() + " may still be there)"));
        }
        DirectoryTree.delete(store.dir(name));
        return problems;
    }

    private static CriPodRecord.Container container(CriPodRecord r, String name) {
        Optional<CriPodRecord.Container> c = name == null ? r.containers().stream().findFirst()
                : r.containers().stream().filter(x -> x.name().equals(name)).findFirst();
        return c.orElseThrow(() -> new PodException("pod " + r.name() + " has no container " + name,
                "its containers: " + r.containers().stream().map(CriPodRecord.Container::name).toList()));
    }

    private static List<String> removeQuietly(CriClient c, CriPodRecord r) {
        List<String> problems = new ArrayList<>();
        if (r.sandboxId() == null) {
            return problems;
        }
        for (CriPodRecord.Container rc : r.containers()) {
            try {
                c.stopContainer(rc.id(), STOP_GRACE_SECONDS);
            } catch (CriException e) {
                if (!e.notFound()) {
                    problems.add("stop container " + rc.name() + ": " + e.getMessage());
                }
            }
        }
        try {
            c.stopPodSandbox(r.sandboxId());
            c.removePodSandbox(r.sandboxId());
        } catch (CriException e) {
            if (!e.notFound()) {
                problems.add("remove sandbox " + r.sandboxId() + ": " + e.getMessage());
            }
        }
        return problems;
    }

    private static PodSandboxConfig sandboxConfig(PodSpec spec, CriPodOptions opts, Path dir) {
        PodSandboxConfig.Builder b = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(spec.name()).setNamespace(NAMESPACE)
                        .setUid(UUID.randomUUID().toString()))
                .setHostname(spec.name())
                .setLogDirectory(logDir(dir).toString())
                .putAllLabels(spec.labels());
        opts.ports().forEach(p -> b.addPortMappings(p.toCri()));
        if (!opts.cgroupParent().isEmpty()) {
            b.setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(opts.cgroupParent()));
        }
        return b.build();
    }

    static Path logDir(Path podDir) {
        return podDir.resolve("logs");
    }

    private static CriClient connect(Path socket) {
        try {
            return CriClient.connect(socket);
        } catch (CriException e) {
            throw new PodException(e.getMessage(), CriErrors.startHint(socket), e);
        }
    }

    private static <T> T call(CriPodOptions opts, java.util.function.Supplier<T> rpc) {
        try {
            return rpc.get();
        } catch (CriException e) {
            throw CriErrors.of(e, opts.socket(), opts.image());
        }
    }

    private Path claim(String name) {
        Path dir = store.dir(name);
        try {
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir);
            Files.createDirectories(logDir(dir));
            return dir;
        } catch (FileAlreadyExistsException e) {
            throw new PodException("pod " + name + " exists already",
                    "pick another name, or remove it with `podnet pod rm " + name + "`");
        } catch (IOException e) {
            throw new UncheckedIOException("create " + dir, e);
        }
    }

    private static void save(Path dir, CriPodRecord r) {
        Path tmp = dir.resolve(RECORD + ".tmp");
        try {
            Files.writeString(tmp, JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(r.toJson()));
            Files.move(tmp, dir.resolve(RECORD), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("write " + dir.resolve(RECORD), e);
        }
    }
}
