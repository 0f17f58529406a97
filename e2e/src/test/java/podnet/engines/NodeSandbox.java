package podnet.engines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A throwaway "node": a holder process ({@code sleep}) inside the node's network namespace and
 * a private mount namespace prepared by {@link PrivateMounts}. Engines and their clients run in
 * both namespaces through {@code nsenter -t HOLDER -m -n} (not {@code ip netns exec}, which
 * remounts /sys and hides the cgroup tree). The mount namespace, and every private mount in it,
 * dies with its last process; {@link #close()} kills whatever is still in it, by PID.
 */
public final class NodeSandbox implements AutoCloseable {
    private final Process holder;
    private final String mountNs;
    private final Path log;

    private NodeSandbox(Process holder, String mountNs, Path log) {
        this.holder = holder;
        this.mountNs = mountNs;
        this.log = log;
    }

    /** Starts the holder in {@code /run/netns/NETNS}; returns once its mounts are in place. */
    public static NodeSandbox start(String netns, PrivateMounts mounts, Path log) throws IOException {
        List<String> cmd = List.of("nsenter", "--net=/run/netns/" + netns, "unshare", "--mount",
                "--propagation", "private", "sh", "-c", mounts.script(List.of("sleep", "infinity")));
        Process p = Cmd.spawn(log, Map.of(), cmd);
        // nsenter, unshare and sh all exec: the holder's PID is ours once it runs sleep.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Pids.exe(p.pid()).map(e -> !e.getFileName().toString().equals("sleep")).orElse(true)) {
            if (!p.isAlive()) {
                throw new AssertionError("node sandbox failed to start (exit " + p.exitValue() + "): "
                        + Files.readString(log));
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("node sandbox did not start: " + Files.readString(log));
            }
            Pids.sleep(5);
        }
        String mnt = Pids.namespace(p.pid(), "mnt").orElseThrow();
        if (mnt.equals(Pids.namespace(ProcessHandle.current().pid(), "mnt").orElse(""))) {
            p.destroyForcibly();
            throw new AssertionError("holder shares our mount namespace");
        }
        return new NodeSandbox(p, mnt, log);
    }

    public long pid() {
        return holder.pid();
    }

    /** {@code cmd} prefixed to run in the node's mount and network namespaces. */
    public List<String> enter(List<String> cmd) {
        List<String> full = new ArrayList<>(List.of("nsenter", "-t", Long.toString(holder.pid()), "-m", "-n"));
        full.addAll(cmd);
        return full;
    }

    public Cmd.Result exec(Duration timeout, Map<String, String> env, List<String> cmd) {
        return Cmd.run(timeout, env, enter(cmd));
    }

    public Process spawn(Path log, Map<String, String> env, List<String> cmd) {
        return Cmd.spawn(log, env, enter(cmd));
    }

    /** Processes still in the private mount namespace, the holder excepted. */
    public List<Long> strays() {
        return Pids.inNamespace("mnt", mountNs).stream().filter(pid -> pid != holder.pid()).toList();
    }

    @Override
    public void close() {
        for (long pid : strays()) {
            Pids.kill(pid);
        }
        for (long pid : strays()) {
            Pids.awaitGone(pid, 5000);
        }
        holder.destroyForcibly();
        try {
            holder.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "node sandbox pid " + holder.pid() + " " + mountNs + " (log " + log + ")";
    }
}
