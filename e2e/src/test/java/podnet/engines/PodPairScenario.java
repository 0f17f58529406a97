package podnet.engines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import podnet.linux.testing.Ip;

/**
 * The checks both engines must pass on a plugin set: two containers get eth0 addresses in the
 * subnet, ping each other both ways, their host veths are ports of the bridge in the node
 * netns; once the engine removed them, the veths and the IPAM leases are gone. Prints, per
 * container, the time from launch to network ready (eth0 addressed in the container's netns,
 * polled every few ms) and the engine's removal time (kill + CNI DEL); neither is asserted.
 */
public final class PodPairScenario {
    /** One container as seen from outside: its init PID, eth0 address and host-side peer ifindex. */
    public record Pod(String name, long pid, String ip, int hostIfindex, NetworkReady.Timing timing) {}

    private final Engine engine;
    private final E2eNode node;

    public PodPairScenario(Engine engine, E2eNode node) {
        this.engine = engine;
        this.node = node;
    }

    public void run() {
        // A first container pays the engine's and the page cache's cold costs (≈ 0.5 s here),
        // whichever plugin set runs first; it is timed apart so a and b compare like with like.
        Pod warm = start("w");
        double warmRemove = remove(warm.name());
        print("cold", warm.timing(), warmRemove);
        assertThat(node.net.leases()).as("leases after the cold container").isEmpty();

        List<Pod> pods = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            pods.add(start(name));
        }
        Pod a = pods.get(0), b = pods.get(1);

        assertThat(a.ip()).isNotEqualTo(b.ip());
        assertThat(node.net.leases()).containsExactlyInAnyOrder(a.ip(), b.ip());
        assertThat(ping(a, b.ip())).as("%s pings %s", a.name(), b.ip()).isTrue();
        assertThat(ping(b, a.ip())).as("%s pings %s", b.name(), a.ip()).isTrue();

        Map<String, Object> bridge = Ip.link(node.nodeNetns, node.net.bridge());
        assertThat(addresses(node.nodeNetns, node.net.bridge())).as("gateway on the bridge").contains(node.net.prefix() + "1");
        for (Pod p : pods) {
            Map<String, Object> veth = linkByIndex(p.hostIfindex())
                    .orElseThrow(() -> new AssertionError("no host end (ifindex " + p.hostIfindex() + ") of " + p.name()));
            assertThat(veth.get("master")).as("master of %s", veth.get("ifname")).isEqualTo(node.net.bridge());
            assertThat(kind(veth)).isEqualTo("veth");
        }
        assertThat(bridge.get("ifname")).isEqualTo(node.net.bridge());

        print("a", a.timing(), remove("a"));
        print("b", b.timing(), remove("b"));
        Set<Integer> hostEnds = pods.stream().map(Pod::hostIfindex).collect(Collectors.toSet());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline
                && (!node.net.leases().isEmpty() || !portsOf(node.net.bridge()).isEmpty())) {
            Pids.sleep(50);
        }
        assertThat(node.net.leases()).as("IPAM leases after removal").isEmpty();
        assertThat(portsOf(node.net.bridge())).as("bridge ports after removal").isEmpty();
        assertThat(Ip.json(node.nodeNetns, "link", "show").stream().map(l -> ((Number) l.get("ifindex")).intValue()))
                .as("host veths after removal").doesNotContainAnyElementsOf(hostEnds);
        // Not asserted: ctr calls DEL without CNI_NETNS, and the reference bridge then skips its
        // masquerade teardown (only IPAM DEL), so its iptables rules outlive the containers.
        System.out.printf("e2e leftovers | %-10s | %-9s | masquerade rules in the node netns after removal: %d%n",
                engine.name(), node.plugins.label(), masqueradeRules());
    }

    /**
     * Masquerade rules in the node netns: iptables' (legacy or nft backend) or nftables' own.
     * Debian's iptables writes through nftables, so the same rule shows in both listings: the
     * larger count, not the sum.
     */
    private long masqueradeRules() {
        String netns = "--net=/run/netns/" + node.nodeNetns;
        long iptables = Cmd.run("nsenter", netns, "iptables-save", "-t", "nat").out().lines()
                .filter(l -> l.contains("-j MASQUERADE")).count();
        long nft = Cmd.run("nsenter", netns, "nft", "list", "ruleset").out().lines()
                .filter(l -> l.strip().endsWith("masquerade") || l.contains(" masquerade "))
                // portmap's one node-wide hairpin rule is not a pod's
                .filter(l -> !l.contains("podnet-portmap-masq")).count();
        return Math.max(iptables, nft);
    }

    private Pod start(String name) {
        long t0 = System.nanoTime();
        engine.launch(name);
        NetworkReady.Timing t = new NetworkReady(node.net, node.nodeNetns).await(engine, name, t0);
        engine.awaitRunning(name);
        Map<String, Object> eth0 = eth0(t.pid())
                .orElseThrow(() -> new AssertionError(engine.name() + " container " + name + ": no eth0"));
        assertThat(subnetAddress(eth0)).as("eth0 of %s", name).contains(t.ip());
        return new Pod(name, t.pid(), t.ip(), ((Number) eth0.get("link_index")).intValue(), t);
    }

    private double remove(String name) {
        long t0 = System.nanoTime();
        engine.remove(name);
        return (System.nanoTime() - t0) / 1e6;
    }

    private void print(String container, NetworkReady.Timing t, double removeMillis) {
        print(engine.name(), node.plugins.label(), container, t, removeMillis);
    }

    /** One {@code e2e timing} line: "network ready" is the end of the CNI chain (see {@link NetworkReady}). */
    static void print(String engine, String set, String container, NetworkReady.Timing t, double removeMillis) {
        System.out.printf("e2e timing | %-10s | %-9s | container %-4s | launch → network ready %7.1f ms"
                        + " | eth0 addressed %7.1f ms | remove %7.1f ms%n",
                engine, set, container, t.readyMillis(), t.addressedMillis(), removeMillis);
    }

    /** The container's eth0 as {@code ip -j addr} sees it, read from its netns by PID. */
    @SuppressWarnings("unchecked")
    private static Optional<Map<String, Object>> eth0(long pid) {
        Cmd.Result r = Cmd.run("nsenter", "--net=/proc/" + pid + "/ns/net", "ip", "-j", "addr", "show", "dev", "eth0");
        if (r.exit() != 0 || r.out().isBlank()) {
            return Optional.empty();
        }
        try {
            List<Object> l = JSON.std.listFrom(r.out());
            return l.isEmpty() ? Optional.empty() : Optional.of((Map<String, Object>) l.get(0));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @SuppressWarnings("unchecked")
    private Optional<String> subnetAddress(Map<String, Object> link) {
        List<Map<String, Object>> infos = (List<Map<String, Object>>) link.getOrDefault("addr_info", List.of());
        return infos.stream().filter(i -> "inet".equals(i.get("family")))
                .map(i -> (String) i.get("local")).filter(node.net::contains).findFirst();
    }

    private static boolean ping(Pod from, String to) {
        return Cmd.run("nsenter", "--net=/proc/" + from.pid() + "/ns/net", "ping", "-c", "2", "-i", "0.2", "-W", "2", to)
                .exit() == 0;
    }

    @SuppressWarnings("unchecked")
    private static List<String> addresses(String netns, String dev) {
        return Ip.json(netns, "addr", "show", "dev", dev).stream()
                .flatMap(l -> ((List<Map<String, Object>>) l.getOrDefault("addr_info", List.of())).stream())
                .map(i -> (String) i.get("local")).toList();
    }

    private Optional<Map<String, Object>> linkByIndex(int ifindex) {
        return Ip.json(node.nodeNetns, "-d", "link", "show").stream()
                .filter(l -> ((Number) l.get("ifindex")).intValue() == ifindex).findFirst();
    }

    private List<String> portsOf(String bridge) {
        return Ip.json(node.nodeNetns, "link", "show", "master", bridge).stream()
                .map(l -> (String) l.get("ifname")).toList();
    }

    @SuppressWarnings("unchecked")
    private static String kind(Map<String, Object> link) {
        Object info = link.get("linkinfo");
        return info instanceof Map<?, ?> m ? (String) ((Map<String, Object>) m).get("info_kind") : null;
    }
}
