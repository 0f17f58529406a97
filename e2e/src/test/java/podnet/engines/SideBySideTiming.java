package podnet.engines;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference and podnet, each on a node of its own under the same engine, timed container
 * by container in alternation: both nodes' first containers (cold), then {@code rounds} rounds
 * of one later container per side, the side that goes first swapping each round (A B, B A...),
 * so that the machine's load drifts on both alike. Each container is launched, waited for
 * until its network is ready ({@link NetworkReady}) and running, then removed before the next
 * one starts. Prints an {@code e2e timing} line per container and an {@code e2e ratio} line
 * (medians and sums of the later containers); nothing is asserted about the times.
 */
public final class SideBySideTiming {
    /** One plugin set's node and the engine running on it. */
    public record Side(E2eNode node, NodeSandbox sandbox, Engine engine) {
        String label() {
            return node.plugins.label();
        }
    }

    /** Later containers per side: {@value #ROUNDS_PROPERTY} (default 5). */
    static final String ROUNDS_PROPERTY = "podnet.e2e.rounds";

    static int rounds() {
        return Integer.getInteger(ROUNDS_PROPERTY, 5);
    }

    /** The most a fresh podnetd's warm-up is waited for before the later rounds. */
    static final long WARM_UP_WAIT_MS = 10_000;

    private final Side reference;
    private final Side podnet;
    private final int rounds;

    public SideBySideTiming(Side reference, Side podnet, int rounds) {
        this.reference = reference;
        this.podnet = podnet;
        this.rounds = rounds;
    }

    public void run() {
        for (Side s : List.of(reference, podnet)) {
            time(s, "cold");
        }
        // Its warm-up (ADD/DEL cycles of its own, ~1 s of CPU) runs after the node's first calls:
        // a transient of the first container, which would slow whichever side came next.
        awaitWarmedUp(podnet);
        List<Double> ref = new ArrayList<>(), ours = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            List<Side> order = r % 2 == 1 ? List.of(reference, podnet) : List.of(podnet, reference);
            for (Side s : order) {
                double ms = time(s, "l" + r);
                (s == reference ? ref : ours).add(ms);
            }
        }
        for (Side s : List.of(reference, podnet)) {
            awaitNoLeases(s);
        }
        double sumRef = ref.stream().mapToDouble(d -> d).sum(), sumOurs = ours.stream().mapToDouble(d -> d).sum();
        System.out.printf("e2e ratio  | %-10s | later containers, launch → network ready, %d each side by side:"
                        + " median podnet %.1f / reference %.1f ms = %.2f; sums %.2f%n",
                reference.engine().name(), rounds, median(ours), median(ref), median(ours) / median(ref),
                sumOurs / sumRef);
    }

    private double time(Side s, String name) {
        long t0 = System.nanoTime();
        s.engine().launch(name);
        NetworkReady.Timing t = new NetworkReady(s.node().net, s.node().nodeNetns).await(s.engine(), name, t0);
        s.engine().awaitRunning(name);
        long r0 = System.nanoTime();
        s.engine().remove(name);
        PodPairScenario.print(s.engine().name(), s.label(), name, t, (System.nanoTime() - r0) / 1e6);
        return t.readyMillis();
    }

    /** Until the node's podnetd logged the end of its warm-up (its log is in the sandbox's private /run). */
    private static void awaitWarmedUp(Side s) {
        if (Files.exists(E2eNode.PODNETD_SOCKET)) {
            return; // the host's podnetd serves the node (see E2eNode#mounts): long warm
        }
        Path log = Path.of("/proc", Long.toString(s.sandbox().pid()), "root", "run", "podnet", "podnetd.log");
        long t0 = System.nanoTime();
        while ((System.nanoTime() - t0) / 1_000_000 < WARM_UP_WAIT_MS) {
            try {
                String text = Files.exists(log) ? Files.readString(log) : "";
                if (text.contains("podnetd: warmed up") || text.contains("podnetd: warm-up failed")) {
                    break;
                }
            } catch (IOException e) {
                // not written yet
            }
            Pids.sleep(20);
        }
        System.out.printf("e2e timing | %-10s | %-9s | waited %.0f ms for podnetd's warm-up before the later containers%n",
                s.engine().name(), s.label(), (System.nanoTime() - t0) / 1e6);
    }

    private static void awaitNoLeases(Side s) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline && !s.node().net.leases().isEmpty()) {
            Pids.sleep(50);
        }
        assertThat(s.node().net.leases()).as("%s leases after removal", s.label()).isEmpty();
    }

    static double median(List<Double> values) {
        List<Double> v = values.stream().sorted().toList();
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    /** The reference and podnet sets among {@link CniPlugins#available()}, in that order, if both are there. */
    static List<CniPlugins> bothSets() {
        Map<String, CniPlugins> byLabel = new LinkedHashMap<>();
        CniPlugins.available().forEach(p -> byLabel.put(p.label(), p));
        return byLabel.containsKey("reference") && byLabel.containsKey("podnet")
                ? List.of(byLabel.get("reference"), byLabel.get("podnet")) : List.of();
    }
}
