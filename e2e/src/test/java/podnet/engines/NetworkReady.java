package podnet.engines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Waits until a container runs with its network, polling without forking (every millisecond
 * once its process exists): its netns (not the node's) has an up address in the pod subnet and
 * the default route, and its init process runs the container's command ({@value #COMMAND}, by
 * comm). The engines start that command only once the whole CNI ADD chain (bridge, portmap,
 * loopback) has returned — ctr runs the chain between creating and starting the task, podman
 * before creating it — so "ready" is the end of ADD plus the engine's start. "addressed" is the
 * first poll that saw the address, i.e. where the bridge plugin was inside the chain: what this
 * probe measured until 2026-12-02, which under ctr left out the rest of the chain (the bridge's
 * masquerade, portmap, loopback). lo cannot mark the chain's end: runc brings it up itself.
 */
public final class NetworkReady {
    /** The container's command, as the engines launch it ({@code /bin/sleep 3600}). */
    public static final String COMMAND = "sleep";

    /** When the container was first seen addressed, and ready, in ms from launch. */
    public record Timing(long pid, String ip, double addressedMillis, double readyMillis) {}

    private final PodNetworkConf net;
    private final String nodeNetns;

    /** {@code nodeNetns}: the name under /run/netns of the node's netns, which has a subnet address too (the gateway). */
    public NetworkReady(PodNetworkConf net, String nodeNetns) {
        this.net = net;
        this.nodeNetns = nodeNetns;
    }

    public Timing await(Engine engine, String name, long t0) {
        String node = netnsId(nodeNetns);
        String ours = Pids.namespace(ProcessHandle.current().pid(), "net").orElse("");
        long deadline = t0 + 60_000_000_000L;
        OptionalLong pid = OptionalLong.empty();
        double addressed = -1;
        while (System.nanoTime() < deadline) {
            if (pid.isEmpty()) {
                pid = engine.pid(name);
            }
            if (pid.isPresent()) {
                long p = pid.getAsLong();
                // Until runc has unshared it, the container's first process is still in the node's netns.
                Optional<String> ns = Pids.namespace(p, "net").filter(n -> !n.equals(node) && !n.equals(ours));
                Optional<FibView> fib = ns.flatMap(n -> FibView.of(p));
                Optional<String> ip = fib.flatMap(f -> f.localAddresses().stream().filter(net::contains).findFirst());
                if (ip.isPresent()) {
                    double ms = (System.nanoTime() - t0) / 1e6;
                    addressed = addressed < 0 ? ms : addressed;
                    if (fib.get().defaultRoute() && runsCommand(p)) {
                        return new Timing(p, ip.get(), addressed, ms);
                    }
                } else if (ns.isEmpty() && !Pids.alive(p)) {
                    pid = OptionalLong.empty(); // a runc helper that came and went
                }
            }
            // Only the end needs the fine grain: until the engine made the container, poll gently
            // (a cgroup walk) so the probe takes little CPU from the engine it times.
            Pids.sleep(pid.isPresent() ? 1 : 5);
        }
        throw new AssertionError(engine.name() + " container " + name + ": no network ready in " + net.subnet()
                + " (pid " + engine.pid(name) + ", eth0 addressed after " + addressed + " ms)");
    }

    private static boolean runsCommand(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip().equals(COMMAND);
        } catch (IOException e) {
            return false;
        }
    }

    private static String netnsId(String name) {
        try {
            return "net:[" + Files.getAttribute(Path.of("/run/netns", name), "unix:ino") + "]";
        } catch (IOException e) {
            throw new AssertionError("node netns " + name + ": " + e);
        }
    }
}
