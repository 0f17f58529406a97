package podnet.node.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pod churn: {@code pods} pods, each an ADD then a DEL through the plugin executables, with
 * {@code concurrency} pods in flight at once, as a node does when a deployment scales. Both
 * plugin sets in the same run, alternating A B A B over {@code rounds}, each round on a fresh
 * throwaway node. Reports pods per second (median over rounds), each call's p50/p99 (over all
 * rounds) and what was left behind.
 */
public final class ChurnBench {
    public record Options(List<PluginSet> sets, int pods, int concurrency, int rounds, List<Boolean> masq,
            String cniVersion) {
        public Options {
            if (pods < 1 || concurrency < 1 || rounds < 1) {
                throw new IllegalArgumentException("pods, concurrency and rounds must be at least 1");
            }
        }
    }

    /** One plugin set at one ipMasq setting. */
    public record Result(String set, boolean masq, List<Double> podsPerSecond, Stats add, Stats del, int failures,
            List<BenchNode.Leftovers> leftovers) {
        public double medianPodsPerSecond() {
            List<Double> s = new ArrayList<>(podsPerSecond);
            Collections.sort(s);
            return s.get((s.size() - 1) / 2);
        }

        public boolean clean() {
            return failures == 0 && leftovers.stream().allMatch(BenchNode.Leftovers::none);
        }
    }

    private static final int WARM_UP = 5;

    private final Options options;
    private final PrintStream log;
    private final String runId = Long.toHexString(ProcessHandle.current().pid());

    public ChurnBench(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    public List<Result> run() {
        List<Result> out = new ArrayList<>();
        for (boolean masq : options.masq()) {
            Map<String, List<Double>> rate = new LinkedHashMap<>();
            Map<String, List<Long>> adds = new LinkedHashMap<>(), dels = new LinkedHashMap<>();
            Map<String, Integer> failures = new LinkedHashMap<>();
            Map<String, List<BenchNode.Leftovers>> left = new LinkedHashMap<>();
            for (int round = 0; round < options.rounds(); round++) {
                for (PluginSet set : options.sets()) {
                    log.printf("churn: %s, ipMasq %s, round %d of %d ...%n", set.label(), masq ? "on" : "off",
                            round + 1, options.rounds());
                    Round r = round(set, masq, round);
                    rate.computeIfAbsent(set.label(), k -> new ArrayList<>()).add(r.podsPerSecond);
                    adds.computeIfAbsent(set.label(), k -> new ArrayList<>()).addAll(r.add);
                    dels.computeIfAbsent(set.label(), k -> new ArrayList<>()).addAll(r.del);
                    failures.merge(set.label(), r.failures, Integer::sum);
                    left.computeIfAbsent(set.label(), k -> new ArrayList<>()).add(r.leftovers);
                }
            }
            for (PluginSet set : options.sets()) {
                String l = set.label();
                out.add(new Result(l, masq, rate.get(l), Stats.of(adds.get(l)), Stats.of(dels.get(l)), failures.get(l),
                        left.get(l)));
            }
        }
        return out;
    }

    private record Round(double podsPerSecond, List<Long> add, List<Long> del, int failures,
            BenchNode.Leftovers leftovers) {}

    private Round round(PluginSet set, boolean masq, int round) {
        String tag = "pnc-" + runId + "-" + options.sets().indexOf(set) + (masq ? "m" : "p") + round;
        try (BenchNode node = new BenchNode(set, tag, options.pods(), options.concurrency(), masq, options.cniVersion())) {
            for (int i = 0; i < WARM_UP; i++) {
                PluginExec.Call add = node.call("ADD", "churn-warm", 0, node.conf);
                node.call("DEL", "churn-warm", 0, node.conf);
                if (!add.ok()) {
                    throw new IllegalStateException(set.label() + " ADD failed: " + add.stdout());
                }
            }
            List<Long> add = Collections.synchronizedList(new ArrayList<>());
            List<Long> del = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger next = new AtomicInteger(), failed = new AtomicInteger();
            List<CompletableFuture<Void>> workers = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int w = 0; w < node.workers.size(); w++) {
                workers.add(node.workers.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < options.pods(); ) {
                        String id = "churn-" + i;
                        PluginExec.Call a = node.callHere("ADD", id, i);
                        add.add(a.nanos());
                        PluginExec.Call d = node.callHere("DEL", id, i);
                        del.add(d.nanos());
                        if (!a.ok() || !d.ok()) {
                            failed.incrementAndGet();
                            log.println("churn: " + set.label() + " pod " + i + " failed: "
                                    + (a.ok() ? d.stdout() : a.stdout()).strip());
                        }
                    }
                    return null;
                }));
            }
            CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).join();
            double seconds = (System.nanoTime() - t0) / 1e9;
            return new Round(options.pods() / seconds, add, del, failed.get(), node.leftovers());
        }
    }

    /** The table: per ipMasq setting and set, pods/s and per-call percentiles; the first set's ratio to the second. */
    public static void print(List<Result> results, List<PluginSet> sets, PrintStream out) {
        out.printf("%-10s %-10s %9s %9s %9s %9s %9s %8s  %s%n", "ipMasq", "set", "pods/s", "ADD p50", "ADD p99",
                "DEL p50", "DEL p99", "failed", "left behind");
        for (Result r : results) {
            List<BenchNode.Leftovers> bad = r.leftovers().stream().filter(l -> !l.none()).toList();
            out.printf("%-10s %-10s %9.1f %9.1f %9.1f %9.1f %9.1f %8d  %s%n", r.masq() ? "on" : "off", r.set(),
                    r.medianPodsPerSecond(), r.add().median(), r.add().percentile(99), r.del().median(),
                    r.del().percentile(99), r.failures(), bad.isEmpty() ? "none" : bad);
        }
        if (sets.size() == 2) {
            for (boolean masq : List.of(false, true)) {
                Result a = find(results, sets.get(0).label(), masq), b = find(results, sets.get(1).label(), masq);
                if (a != null && b != null) {
                    out.printf("ipMasq %-3s %s/%s: pods/s %.2fx, ADD p50 %.2fx, ADD p99 %.2fx, DEL p50 %.2fx%n",
                            masq ? "on" : "off", a.set(), b.set(), a.medianPodsPerSecond() / b.medianPodsPerSecond(),
                            a.add().median() / b.add().median(), a.add().percentile(99) / b.add().percentile(99),
                            a.del().median() / b.del().median());
                }
            }
        }
    }

    private static Result find(List<Result> results, String set, boolean masq) {
        return results.stream().filter(r -> r.set().equals(set) && r.masq() == masq).findFirst().orElse(null);
    }
}
