package podnet.node.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Times CNI plugin executables the way a runtime calls them (fork, exec, env, stdin), the
 * plugin sets side by side in one run, each in its own throwaway node namespace with its own
 * pod namespaces and IPAM directory. Nothing touches the root namespace.
 *
 * <p>Per ipMasq setting: VERSION, then {@code pods} sequential ADDs, CHECKs and DELs (median
 * and p90 of each), then {@code concurrent} ADDs at once and their DELs at once (total wall
 * time of each burst, median of {@value #BURSTS} rounds). The sets take turns call by call
 * (A B A B) and burst by burst, so that neither runs on a quieter machine than the other.
 */
public final class CniBench {
    /** {@code coldTrials}: fresh podnetd starts to time the first ADD of (sets with a podnetd launcher only). */
    public record Options(List<PluginSet> sets, int pods, int concurrent, List<Boolean> masq, String cniVersion,
            int coldTrials) {
        public Options(List<PluginSet> sets, int pods, int concurrent, List<Boolean> masq, String cniVersion) {
            this(sets, pods, concurrent, masq, cniVersion, 0);
        }
    }

    /** One row of results: an operation timed for each plugin set. */
    public record Row(String operation, Map<String, Stats> bySet) {}

    /**
     * Untimed ADD/DEL cycles before the warm figures: podnetd serves its first calls at once and
     * no longer warms up before them, so "warm" is what a node's podnetd is after its first few
     * dozen pods (C1 compiles a method after ~200 calls); the cold figures are measured apart.
     */
    private static final int WARM_UP = 40;
    private static final int VERSIONS = 10, BURSTS = 3;

    private final Options options;
    private final PrintStream log;
    private final String runId = Long.toHexString(ProcessHandle.current().pid());

    public CniBench(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    public List<Row> run() {
        Map<String, Map<String, Stats>> table = new LinkedHashMap<>();
        for (boolean masq : options.masq()) {
            log.printf("bench: ipMasq %s ...%n", masq ? "on" : "off");
            runOne(masq).forEach((op, bySet) -> table.computeIfAbsent(op, k -> new LinkedHashMap<>()).putAll(bySet));
        }
        List<Row> rows = new ArrayList<>();
        table.forEach((op, m) -> rows.add(new Row(op, m)));
        return rows;
    }

    /** Every set's node, then each measurement taking turns across them. */
    private Map<String, Map<String, Stats>> runOne(boolean masq) {
        List<BenchNode> nodes = new ArrayList<>();
        try {
            int total = Math.max(options.pods(), options.concurrent());
            for (int i = 0; i < options.sets().size(); i++) {
                nodes.add(new BenchNode(options.sets().get(i), "pnb-" + runId + "-" + i + (masq ? "m" : "p"), total,
                        options.concurrent(), masq, options.cniVersion()));
            }
            String suffix = masq ? " (ipMasq on)" : " (ipMasq off)";
            Map<String, Map<String, List<Long>>> samples = new LinkedHashMap<>();

            for (int i = 0; i < VERSIONS; i++) {
                for (BenchNode n : nodes) {
                    sample(samples, "VERSION", n, checked(n, n.call("VERSION", "", 0, n.conf), "VERSION").nanos());
                }
            }
            // Warm-up, not timed: the first ADD creates cni0 and the node-wide settings, and a
            // long-lived agent is measured warm, as it is after its first few pods.
            for (int i = 0; i < WARM_UP; i++) {
                for (BenchNode n : nodes) {
                    checked(n, n.call("ADD", "bench-warm", 0, n.conf), "ADD");
                    checked(n, n.call("DEL", "bench-warm", 0, n.conf), "DEL");
                }
            }
            Map<BenchNode, List<String>> results = new LinkedHashMap<>();
            for (int i = 0; i < options.pods(); i++) {
                for (BenchNode n : nodes) {
                    PluginExec.Call c = checked(n, n.call("ADD", "bench-seq" + i, i, n.conf), "ADD");
                    sample(samples, "ADD" + suffix, n, c.nanos());
                    results.computeIfAbsent(n, k -> new ArrayList<>()).add(c.stdout());
                }
            }
            for (int i = 0; i < options.pods(); i++) {
                for (BenchNode n : nodes) {
                    String withPrev = withPrevResult(n.conf, results.get(n).get(i));
                    sample(samples, "CHECK" + suffix, n, checked(n, n.call("CHECK", "bench-seq" + i, i, withPrev), "CHECK").nanos());
                }
            }
            for (int i = 0; i < options.pods(); i++) {
                for (BenchNode n : nodes) {
                    sample(samples, "DEL" + suffix, n, checked(n, n.call("DEL", "bench-seq" + i, i, n.conf), "DEL").nanos());
                }
            }
            int c = options.concurrent();
            for (int round = 0; round < BURSTS; round++) {
                for (BenchNode n : nodes) {
                    sample(samples, c + " concurrent ADDs, total" + suffix, n, burst(n, "ADD", round));
                    sample(samples, c + " concurrent DELs, total" + suffix, n, burst(n, "DEL", round));
                }
            }
            for (int t = 0; t < options.coldTrials(); t++) {
                for (BenchNode n : nodes) {
                    if (ColdStart.applies(n.set)) {
                        ColdStart.measure(n, 1).forEach((op, ns) -> ns.forEach(x -> sample(samples, op + suffix, n, x)));
                    }
                }
            }
            Map<String, Map<String, Stats>> out = new LinkedHashMap<>();
            samples.forEach((op, bySet) -> {
                Map<String, Stats> m = new LinkedHashMap<>();
                bySet.forEach((set, ns) -> m.put(set, Stats.of(ns)));
                out.put(op, m);
            });
            return out;
        } finally {
            for (BenchNode n : nodes) {
                n.close();
            }
        }
    }

    private static void sample(Map<String, Map<String, List<Long>>> samples, String op, BenchNode n, long nanos) {
        samples.computeIfAbsent(op, k -> new LinkedHashMap<>()).computeIfAbsent(n.set.label(), k -> new ArrayList<>())
                .add(nanos);
    }

    private static PluginExec.Call checked(BenchNode n, PluginExec.Call c, String what) {
        if (!c.ok()) {
            throw new IllegalStateException(n.set.label() + " " + what + " failed: " + c.stdout());
        }
        return c;
    }

    /** {@code concurrent} calls at once, one per worker; the total wall time. */
    private long burst(BenchNode n, String cmd, int round) {
        List<CompletableFuture<PluginExec.Call>> fs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < options.concurrent(); i++) {
            int k = i;
            fs.add(n.workers.submit(() -> n.callHere(cmd, "bench-burst" + round + "-" + k, k)));
        }
        for (CompletableFuture<PluginExec.Call> f : fs) {
            checked(n, f.join(), "concurrent " + cmd);
        }
        return System.nanoTime() - t0;
    }

    /** The config with the ADD's result spliced in as prevResult, as a runtime does for CHECK. */
    static String withPrevResult(String conf, String result) {
        String c = conf.strip();
        return c.substring(0, c.length() - 1) + ",\"prevResult\":" + result.strip() + "}";
    }

    /** Prints the table: each operation's median and p90 per set, and the ratio first/second. */
    public static void print(List<Row> rows, List<PluginSet> sets, PrintStream out) {
        StringBuilder head = new StringBuilder(String.format("%-40s", "operation (ms)"));
        for (PluginSet s : sets) {
            head.append(String.format(" %18s", s.label() + " med/p90"));
        }
        if (sets.size() == 2) {
            head.append(String.format(" %8s", "ratio"));
        }
        out.println(head);
        for (Row r : rows) {
            StringBuilder line = new StringBuilder(String.format("%-40s", r.operation()));
            for (PluginSet s : sets) {
                Stats st = r.bySet().get(s.label());
                line.append(st == null ? String.format(" %18s", "-")
                        : String.format(" %10.2f/%7.2f", st.median(), st.p90()));
            }
            if (sets.size() == 2) {
                Stats a = r.bySet().get(sets.get(0).label()), b = r.bySet().get(sets.get(1).label());
                line.append(a == null || b == null ? "" : String.format(" %7.2fx", a.median() / b.median()));
            }
            out.println(line);
        }
    }
}
