package podnet.node.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;
import podnet.linux.ns.NsProcess;
import podnet.linux.fs.DirectoryTree;

/**
 * Times CNI plugin executables the way a runtime calls them (fork, exec, env, stdin), ours and
 * the reference side by side in one run, each in its own throwaway node namespace with its own
 * pod namespaces and IPAM directory. Nothing touches the root namespace.
 *
 * <p>Per implementation and ipMasq setting: VERSION, then {@code pods} sequential ADDs, CHECKs
 * and DELs (median and p90 of each), then {@code concurrent} ADDs at once and their DELs at once
 * (total wall time of each burst).
 */
public final class CniBench {
    public record Options(List<PluginSet> sets, int pods, int concurrent, List<Boolean> masq, String cniVersion) {}

    /** One row of results: an operation timed for each plugin set. */
    public record Row(String operation, Map<String, Stats> bySet) {}

    private static final int WARM_UP = 5;

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
            // Alternate the order per setting so that neither side always runs on a warmer machine.
            List<PluginSet> order = new ArrayList<>(options.sets());
            if (masq) {
                java.util.Collections.reverse(order);
            }
            for (PluginSet set : order) {
                log.printf("bench: %s, ipMasq %s ...%n", set.label(), masq ? "on" : "off");
                Map<String, Stats> r = runOne(set, masq);
                r.forEach((op, s) -> table.computeIfAbsent(op, k -> new LinkedHashMap<>()).put(set.label(), s));
            }
        }
        List<Row> rows = new ArrayList<>();
        table.forEach((op, m) -> rows.add(new Row(op, m)));
        return rows;
    }

    private Map<String, Stats> runOne(PluginSet set, boolean masq) {
        String tag = "pnb-" + runId + "-" + (set.label().length() > 4 ? set.label().substring(0, 4) : set.label()) + (masq ? "m" : "p");
        List<String> created = new ArrayList<>();
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory("podnet-bench-ipam");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Stats> out = new LinkedHashMap<>();
        try {
            Netns node = NamedNetns.add(tag + "-node");
            created.add(node.name());
            int total = Math.max(options.pods(), options.concurrent());
            List<Netns> pods = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                Netns pod = NamedNetns.add(tag + "-p" + i);
                created.add(pod.name());
                pods.add(pod);
            }
            String conf = config(masq, dataDir);
            String suffix = masq ? " (ipMasq on)" : " (ipMasq off)";

            List<Long> version = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                version.add(call(set, node, "VERSION", "", null, conf).nanos);
            }
            out.put("VERSION", Stats.of(version));

            // Warm-up, not timed: the first ADD creates cni0 and the node-wide settings, and a
            // long-lived agent is measured warm, as it is after its first few pods.
            for (int i = 0; i < WARM_UP; i++) {
                Call warm = call(set, node, "ADD", "warm", pods.get(0), conf);
                call(set, node, "DEL", "warm", pods.get(0), conf);
                if (warm.exit != 0) {
                    throw new IllegalStateException(set.label() + " ADD failed: " + warm.stdout);
                }
            }

            List<Long> add = new ArrayList<>(), check = new ArrayList<>(), del = new ArrayList<>();
            List<String> results = new ArrayList<>();
            for (int i = 0; i < options.pods(); i++) {
                Call c = call(set, node, "ADD", "seq" + i, pods.get(i), conf);
                if (c.exit != 0) {
                    throw new IllegalStateException(set.label() + " ADD failed: " + c.stdout);
                }
                add.add(c.nanos);
                results.add(c.stdout);
            }
            for (int i = 0; i < options.pods(); i++) {
                String withPrev = withPrevResult(conf, results.get(i));
                Call c = call(set, node, "CHECK", "seq" + i, pods.get(i), withPrev);
                if (c.exit != 0) {
                    throw new IllegalStateException(set.label() + " CHECK failed: " + c.stdout);
                }
                check.add(c.nanos);
            }
            for (int i = 0; i < options.pods(); i++) {
                Call c = call(set, node, "DEL", "seq" + i, pods.get(i), conf);
                del.add(c.nanos);
            }
            out.put("ADD" + suffix, Stats.of(add));
            out.put("CHECK" + suffix, Stats.of(check));
            out.put("DEL" + suffix, Stats.of(del));

            int n = options.concurrent();
            out.put(n + " concurrent ADDs, total" + suffix, burst(set, node, pods, conf, "ADD", n));
            out.put(n + " concurrent DELs, total" + suffix, burst(set, node, pods, conf, "DEL", n));
        } finally {
            for (String ns : created.reversed()) {
                try {
                    NamedNetns.deleteIfExists(ns);
                } catch (RuntimeException e) {
                    log.println("bench: cleanup of " + ns + " failed: " + e.getMessage());
                }
            }
            DirectoryTree.deleteQuietly(dataDir);
        }
        return out;
    }

    private Stats burst(PluginSet set, Netns node, List<Netns> pods, String conf, String cmd, int n) {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            long t0 = System.nanoTime();
            List<Future<Call>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                futures.add(pool.submit(() -> call(set, node, cmd, "burst" + k, pods.get(k), conf)));
            }
            for (Future<Call> f : futures) {
                Call c = f.get();
                if (c.exit != 0) {
                    throw new IllegalStateException(set.label() + " concurrent " + cmd + " failed: " + c.stdout);
                }
            }
            return Stats.of(List.of(System.nanoTime() - t0));
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
    }

    private record Call(int exit, String stdout, long nanos) {}

    /** Execs {@code dir/bridge} from a thread inside the node netns, as a runtime there would. */
    private Call call(PluginSet set, Netns node, String command, String id, Netns pod, String conf) {
        ProcessBuilder pb = new ProcessBuilder(set.dir().resolve("bridge").toString());
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("CNI_COMMAND", command);
        env.put("CNI_PATH", set.dir().toString());
        String socket = System.getenv("PODNET_SOCKET"); // which podnetd our shims talk to
        if (socket != null) {
            env.put("PODNET_SOCKET", socket);
        }
        if (!command.equals("VERSION")) {
            env.put("CNI_CONTAINERID", "bench-" + id);
            env.put("CNI_NETNS", pod.path().toString());
            env.put("CNI_IFNAME", "eth0");
        }
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        long t0 = System.nanoTime();
        Process p = NsProcess.start(node, pb);
        try {
            try (var in = p.getOutputStream()) {
                in.write(conf.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the plugin exited without reading its stdin (e.g. an early error); its stdout says why
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(set.label() + " " + command + " hung");
            }
            return new Call(p.exitValue(), out, System.nanoTime() - t0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String config(boolean masq, Path dataDir) {
        return """
                {"cniVersion":"%s","name":"benchnet","type":"bridge","bridge":"cni0",
                 "isGateway":true,"ipMasq":%s,"hairpinMode":true,
                 "ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"10.244.2.0/24"}]],
                         "routes":[{"dst":"0.0.0.0/0"}]}}
                """.formatted(options.cniVersion(), masq, dataDir);
    }

    /** The config with the ADD's result spliced in as prevResult, as a runtime does for CHECK. */
    static String withPrevResult(String conf, String result) {
        String c = conf.strip();
        return c.substring(0, c.length() - 1) + ",\"prevResult\":" + result.strip() + "}";
    }

    /** Prints the table: each operation's median and p90 per set, and the ratio first/second. */
    public static void print(List<Row> rows, List<PluginSet> sets, PrintStream out) {
        StringBuilder head = new StringBuilder(String.format("%-36s", "operation (ms)"));
        for (PluginSet s : sets) {
            head.append(String.format(" %18s", s.label() + " med/p90"));
        }
        if (sets.size() == 2) {
            head.append(String.format(" %8s", "ratio"));
        }
        out.println(head);
        for (Row r : rows) {
            StringBuilder line = new StringBuilder(String.format("%-36s", r.operation()));
            for (PluginSet s : sets) {
                Stats st = r.bySet().get(s.label());
                line.append(st == null ? String.format(" %18s", "-")
                        : st.millis().size() == 1 ? String.format(" %18.1f", st.median())
                        : String.format(" %10.1f/%7.1f", st.median(), st.p90()));
            }
            if (sets.size() == 2) {
                Stats a = r.bySet().get(sets.get(0).label()), b = r.bySet().get(sets.get(1).label());
                line.append(a == null || b == null ? "" : String.format(" %7.2fx", a.median() / b.median()));
            }
            out.println(line);
        }
    }
}
