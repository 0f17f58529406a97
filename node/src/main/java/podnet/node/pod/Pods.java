package podnet.node.pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import podnet.cni.runtime.CniRuntime;
import podnet.cni.runtime.InProcessRuntime;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;

/**
 * Pods on this node: run (sandbox, CNI ADD, containers), find, status, remove. Every step is
 * recorded on disk before the next, so {@link #remove} can clean up whatever a crash left.
 */
public final class Pods {
    /** A pod's id: NAME or NAME.NAMESPACE, both DNS labels ({@link PodSpec#id}). */
    private static final String ID = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)?";

    private static final long STOP_GRACE_MILLIS = 3000;

    private final Path stateDir;
    private final PodStore store;
    private final Supplier<CniRuntime> runtime;
    private final PodListener listener;

    public Pods(Path stateDir, Supplier<CniRuntime> runtime) {
        this(stateDir, runtime, PodListener.NONE);
    }

    public Pods(Path stateDir, Supplier<CniRuntime> runtime, PodListener listener) {
        this.stateDir = stateDir;
        this.store = new PodStore(stateDir);
        this.runtime = runtime;
        this.listener = listener;
    }

    /** Where plugin types podnet does not run in-process (portmap, tuning, ...) are exec'd from. */
    public static final List<Path> CNI_BIN_DIRS = List.of(Path.of("/opt/cni/bin"), Path.of("/usr/lib/cni"));

    /**
     * The runtime for pods kept under {@code stateDir}: podnet's plugins in this JVM, other
     * types exec'd from {@link #CNI_BIN_DIRS}; results cached under the state directory, beside
     * the pods they belong to.
     */
    public static CniRuntime defaultRuntime(Path stateDir) {
        return new InProcessRuntime(CNI_BIN_DIRS, stateDir.resolve("cni-results"));
    }

    public PodStore store() {
        return store;
    }

    /**
     * Creates the pod: checks everything first (name free, network config readable, node netns
     * present, programs found), then sandbox, network, containers. On failure everything made
     * so far is removed again.
     *
     * @param conflist  the network configuration list; null for the default network
     * @param nodeNetns the named node namespace (null: the current one)
     */
    public PodRecord run(PodSpec spec, Path conflist, String nodeNetns) {
        String name = spec.id();
        if (store.exists(name) || NamedNetns.exists(PodSandbox.netnsName(name))) {
            throw new PodException("pod " + name + " exists already",
                    "pick another name, or remove it with `podnet pod rm " + name + "`");
        }
        Netns node = nodeNetns == null ? Netns.CURRENT : Netns.named(nodeNetns);
        if (!node.exists()) {
            throw new PodException("node network namespace " + nodeNetns + " does not exist",
                    "create it with `podnet netns add " + nodeNetns + "`");
        }
        NetworkAttacher net = new NetworkAttacher(runtime.get(), node); // no runtime: fail before writing anything
        Path network = conflist == null ? DefaultNetwork.ensure(stateDir) : conflist.toAbsolutePath();
        if (!Files.isReadable(network)) {
            throw new PodException("network config " + network + " not found",
                    "give a CNI .conflist file, or leave out --network for the default (cni0, 10.244.2.0/24)");
        }
        for (ContainerSpec c : spec.containers()) {
            requireProgram(c);
        }
        if (!store.claim(name)) {
            throw new PodException("pod " + name + " exists already",
                    "pick another name, or remove it with `podnet pod rm " + name + "`");
        }
        Path dir = store.dir(name);
        PodRecord record = new PodRecord(spec.name(), spec.labels(), PodSandbox.netnsName(name), network.toString(),
                nodeNetns, null, Instant.now(), List.of(), spec.namespace(), spec.ports());
        try {
            store.save(record);
            PodSandbox sandbox = PodSandbox.create(name, dir);
            record = record.withIp(net.attach(record, sandbox.netns().path()));
            store.save(record);
            listener.attached(record);
            for (ContainerSpec c : spec.containers()) {
                record = record.withContainer(Containers.start(sandbox, dir, c));
                store.save(record);
            }
            return record;
        } catch (RuntimeException e) {
            List<String> left = removeQuietly(record);
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new PodException("pod run " + name + " failed: " + msg
                    + (left.isEmpty() ? "; nothing was left behind" : "; cleanup problems: " + left),
                    e instanceof PodException p ? p.hint() : "see the message; PODNET_DEBUG=1 shows a stack trace", e);
        }
    }

    /** The record of {@code name}, or a PodException that says how to list pods. */
    public PodRecord require(String name) {
        return store.load(name).orElseThrow(() -> new PodException("no pod " + name,
                "see `podnet pod list` for the pods on this node"));
    }

    /** Whether anything of pod {@code name} exists: its state or (after a crash) its netns. */
    /** Whether a pod of that id exists; false for what cannot be a pod id (a NETNS/IP, say). */
    public boolean exists(String name) {
        if (name == null || !name.matches(ID)) {
            return false;
        }
        return store.exists(name) || NamedNetns.exists(PodSandbox.netnsName(name));
    }

    public PodSandbox sandbox(PodRecord r) {
        return PodSandbox.of(r.id(), store.dir(r.id()));
    }

    public List<PodStatus> list() {
        Instant now = Instant.now();
        List<PodStatus> out = new ArrayList<>();
        for (PodRecord r : store.list()) {
            out.add(PodStatus.of(r, store.dir(r.id()), sandbox(r).exists(),
                    r.nodeNetns() != null ? r.nodeNetns() : machineHostname(), now));
        }
        return out;
    }

    /**
     * Removes the pod: stops its containers, CNI DEL, unpins its namespaces, deletes its record.
     * Works from whatever is left after a crash. Returns the problems met on the way (the pod
     * is gone regardless).
     */
    public List<String> remove(String name) {
        var record = store.load(name);
        if (record.isEmpty()) {
            PodSandbox orphan = PodSandbox.of(name, store.dir(name));
            if (!store.exists(name) && !orphan.exists()) {
                throw new PodException("no pod " + name, "see `podnet pod list` for the pods on this node");
            }
            // A crash between claiming the name and the first record: no network was attached.
            List<String> problems = new ArrayList<>();
            attempt(problems, "remove sandbox", orphan::destroy);
            attempt(problems, "remove state", () -> store.delete(name));
            return problems;
        }
        return removeQuietly(record.get());
    }

    private List<String> removeQuietly(PodRecord r) {
        List<String> problems = new ArrayList<>();
        for (ContainerRecord c : r.containers()) {
            attempt(problems, "stop container " + c.name(), () -> Containers.stop(c, STOP_GRACE_MILLIS));
        }
        PodSandbox sandbox = sandbox(r);
        Netns node = r.nodeNetns() == null ? Netns.CURRENT : Netns.named(r.nodeNetns());
        if (r.ip() != null) {
            attempt(problems, "leave policies", () -> listener.detaching(r));
        }
        if (node.exists()) {
            attempt(problems, "CNI DEL", () -> new NetworkAttacher(runtime.get(), node)
                    .detach(r, sandbox.netns().path()));
        }
        attempt(problems, "remove sandbox", sandbox::destroy);
        attempt(problems, "remove state", () -> store.delete(r.id()));
        return problems;
    }

    /** Sets and removes labels of pod {@code id}; returns the new record. */
    public PodRecord label(String id, Map<String, String> set, List<String> remove) {
        PodRecord r = require(id);
        Map<String, String> labels = new java.util.TreeMap<>(r.labels());
        labels.putAll(set);
        remove.forEach(labels::remove);
        PodRecord updated = r.withLabels(labels);
        store.save(updated);
        return updated;
    }

    private static void attempt(List<String> problems, String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            problems.add(what + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
    }

    private static void requireProgram(ContainerSpec c) {
        String prog = c.command().get(0);
        if (podnet.linux.fs.SearchPath.find(prog, Containers.PATH).isEmpty()) {
            throw new PodException("container " + c.name() + ": program " + prog + " not found",
                    "containers run programs from the host's filesystem; give a path or install it");
        }
    }

    public static String machineHostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
