package podnet.node.policy;

import com.fasterxml.jackson.jr.ob.JSON;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import podnet.linux.fs.DirectoryTree;
import podnet.linux.inet.Cidr;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Root;

/**
 * Not a test (run by {@code bench/policy-bench.sh}): on a throwaway node with 200 pod addresses
 * in the sets (pods as policy sees them; the table does not care whether their netns exist) and
 * 50 policies,
 * <ol>
 * <li>one policy change (apply = store, compile, one transaction, conntrack pass);
 * <li>one pod's membership on ADD ({@link Policies#podAdded}), the node namespace entered by a
 *     thread per call (as from a CLI outside it), and from a caller already inside it (podnetd,
 *     {@code pod run} on the node);
 * <li>TCP throughput between two of the fixture's pods (iperf3, 2 s per run) with no policy and
 *     with the 50 policies plus one that selects the server and allows the client, rounds of
 *     A B and B A alternately; besides Gbit/s, the CPU time client and server spent per byte,
 *     which other load moves much less than throughput.
 * </ol>
 * Times are medians (and 90th percentiles) of 41 policy changes after 20 warm-ups, and of 201 ADDs
 * after 600 warm-ups (a warm agent: on a loaded machine the JIT needs them; the first ADD of the
 * process is printed apart). Then the ADD's parts one by one, to see where its time goes. With
 * {@code -Dthroughput.only=true} only the throughput rounds run.
 */
public final class PolicyBenchmark {
    private static final int IPERF_SECONDS = Integer.getInteger("iperf.seconds", 2);
    private static final int RUNS = 61, WARMUP = 20, ADD_RUNS = 801, ADD_WARMUP = 600, IPERF_PORT = 5201;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        try (NetpolPods world = new NetpolPods()) {
            Path state = Files.createTempDirectory("policy-bench-");
            try {
                List<PolicyPod> pods = new ArrayList<>(world.views());
                for (int i = 0; pods.size() < 200; i++) {
                    InetAddress ip = Cidr.parseAddress("10.244." + (3 + i / 250) + "." + (1 + i % 250));
                    pods.add(new PolicyPod(List.of("x", "y", "z").get(i % 3), "p" + i, Map.of("pod", "p" + (i % 7), "app", "a" + (i % 5)),
                            ip, NetpolPods.Pod.NAMED));
                }
                Policies outside = new Policies(state, world.node, () -> pods);
                List<NetworkPolicy> fifty = new ArrayList<>();
                for (int n = 0; n < 50; n++) {
                    fifty.addAll(PolicyManifest.parse(policy(n, 81), "default", false));
                }
                outside.apply(fifty);
                if (Boolean.getBoolean("throughput.only")) {
                    throughput(world, outside, fifty, rounds);
                    return;
                }
                report("policy change, 200 pods, 50 policies (node netns entered per call)", changes(outside, 82));
                report("pod ADD membership (node netns entered per call)", adds(outside, pods, "o"));
                world.node.call(() -> {
                    Policies inside = new Policies(state, Netns.CURRENT, () -> pods);
                    report("policy change, 200 pods, 50 policies (caller in the node netns)", changes(inside, 82 + RUNS));
                    report("pod ADD membership (caller in the node netns)", adds(inside, pods, "i"));
                    addParts(inside, state);
                    return null;
                });
                outside.apply(List.of());
                for (NetworkPolicy p : outside.store().list()) {
                    outside.delete(p.namespace(), p.name());
                }
                throughput(world, outside, fifty, rounds);
            } finally {
                DirectoryTree.delete(state);
            }
        }
    }

    private static long[] changes(Policies policies, int firstPort) {
        return time(k -> {
            List<NetworkPolicy> changed = PolicyManifest.parse(policy(49, firstPort + k), "default", false);
            return () -> policies.apply(changed);
        });
    }

    private static long[] adds(Policies policies, List<PolicyPod> pods, String tag) {
        int base = "o".equals(tag) ? 20 : 40;
        long[] t = time(ADD_RUNS, k -> {
            PolicyPod p = new PolicyPod("x", "new" + tag + k, Map.of("pod", "p1", "app", "a1"),
                    Cidr.parseAddress("10.244." + (base + k / 250) + "." + (1 + k % 250)), NetpolPods.Pod.NAMED);
            pods.add(p);
            return () -> policies.podAdded(p);
        });
        System.out.printf("  first ADD of the run %.3f ms%n", t[0] / 1e6);
        return Arrays.copyOfRange(t, ADD_WARMUP - WARMUP, t.length);
    }

    /** The ADD's parts on their own (caller in the node netns), medians of 400 after 400. */
    private static void addParts(Policies policies, Path state) {
        PolicyPod pod = new PolicyPod("x", "parts", Map.of("pod", "p1", "app", "a1"), Cidr.parseAddress("10.244.60.1"), NetpolPods.Pod.NAMED);
        PolicyView v = new PolicyView(policies.store().list(), Map.of("x", policies.namespaces().ensure("x").labels()), List.of(pod));
        List<podnet.linux.nftables.FilterTable.ElementChange> add = RulesetCompiler.memberships(v, pod, true),
                remove = RulesetCompiler.memberships(v, pod, false);
        part("lock", () -> PolicyLock.hold(state).close());
        part("namespace record", () -> policies.namespaces().ensure("x"));
        part("policies (store)", () -> policies.store().list());
        part("elements (" + add.size() + ")", () -> RulesetCompiler.memberships(v, pod, true));
        part("socket open+close", () -> podnet.linux.nftables.FilterTable.open(Netns.CURRENT, PolicyEnforcer.TABLE).close());
        try (var table = podnet.linux.nftables.FilterTable.open(Netns.CURRENT, PolicyEnforcer.TABLE)) {
            boolean[] in = {false};
            part("element batch (add or remove)", () -> {
                table.change(in[0] ? remove : add);
                in[0] = !in[0];
            });
            if (in[0]) {
                table.change(remove);
            }
        }
    }

    private static void part(String what, Runnable r) {
        long[] t = time(800, k -> r);
        long[] s = Arrays.copyOfRange(t, 400, t.length);
        Arrays.sort(s);
        System.out.printf("  ADD part %-40s median %7.3f ms%n", what, s[s.length / 2] / 1e6);
    }

    /** {@code prepare} does the untimed part of run k and returns the timed part. */
    private static long[] time(IntFunction<Runnable> prepare) {
        return time(RUNS, prepare);
    }

    private static long[] time(int runs, IntFunction<Runnable> prepare) {
        long[] t = new long[runs];
        for (int k = 0; k < runs; k++) {
            Runnable r = prepare.apply(k);
            long t0 = System.nanoTime();
            r.run();
            t[k] = System.nanoTime() - t0;
        }
        return t;
    }

    private static void report(String what, long[] t) {
        long[] s = Arrays.copyOfRange(t, WARMUP, t.length);
        Arrays.sort(s);
        System.out.printf("%-72s median %8.3f ms   p90 %8.3f ms%n", what, s[s.length / 2] / 1e6, s[(int) (s.length * 0.9)] / 1e6);
    }

    /** iperf3 x/a -> x/b: none, then the 50 policies + allow-iperf, alternating, {@code rounds} times each. */
    private static void throughput(NetpolPods world, Policies policies, List<NetworkPolicy> fifty, int rounds) throws Exception {
        if (!Root.has("iperf3")) {
            System.out.println("throughput: skipped (iperf3 is not installed; apt-get install iperf3)");
            return;
        }
        NetpolPods.Pod client = world.pod("x/a"), server = world.pod("x/b");
        List<NetworkPolicy> withAllow = new ArrayList<>(fifty);
        withAllow.addAll(PolicyManifest.parse("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: allow-iperf, namespace: x}
                spec:
                  podSelector: {matchLabels: {pod: b}}
                  ingress:
                  - from: [{podSelector: {matchLabels: {pod: a}}}]
                    ports: [{port: %d}]
                """.formatted(IPERF_PORT), "default", false));
        Process iperf = new ProcessBuilder("ip", "netns", "exec", server.netns.name(), "iperf3", "-s", "-p", Integer.toString(IPERF_PORT))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
        try {
            Thread.sleep(500);
            List<Double> none = new ArrayList<>(), with = new ArrayList<>(), ratios = new ArrayList<>();
            List<Double> noneCpu = new ArrayList<>(), withCpu = new ArrayList<>(), cpuRatios = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                // A B, then B A: whatever the first run of a round gains or loses falls on both sides.
                for (int side = 0; side < 2; side++) {
                    if ((side == 0) == (r % 2 == 0)) {
                        for (NetworkPolicy p : policies.store().list()) {
                            policies.delete(p.namespace(), p.name());
                        }
                        double[] m = iperf(client, server);
                        none.add(m[0]);
                        noneCpu.add(m[1]);
                    } else {
                        policies.apply(withAllow);
                        double[] m = iperf(client, server);
                        with.add(m[0]);
                        withCpu.add(m[1]);
                    }
                }
                ratios.add(with.getLast() / none.getLast());
                cpuRatios.add(withCpu.getLast() / noneCpu.getLast());
                System.out.printf("round %d: none %.2f Gbit/s %.0f ms/GB, 51 policies %.2f Gbit/s %.0f ms/GB, ratio %.3f, CPU ratio %.3f"
                        + " (load %s)%n", r + 1, none.getLast(), noneCpu.getLast(), with.getLast(), withCpu.getLast(), ratios.getLast(),
                        cpuRatios.getLast(), load());
            }
            double a = median(none), b = median(with);
            List<Double> sorted = new ArrayList<>(ratios);
            sorted.sort(null);
            System.out.printf("TCP throughput x/a -> x/b (iperf3 %d s, %d rounds A B / B A): none %.2f Gbit/s, 51 policies %.2f Gbit/s,"
                    + " ratio of medians %.3f, median of round ratios %.3f (min %.3f, max %.3f)%n",
                    IPERF_SECONDS, rounds, a, b, b / a, median(ratios), sorted.getFirst(), sorted.getLast());
            List<Double> cpuSorted = new ArrayList<>(cpuRatios);
            cpuSorted.sort(null);
            System.out.printf("TCP CPU per byte (iperf3 client + server CPU time / bytes): none %.0f ms/GB, 51 policies %.0f ms/GB,"
                    + " ratio of medians %.3f, median of round ratios %.3f (quartiles %.3f, %.3f)%n",
                    median(noneCpu), median(withCpu), median(withCpu) / median(noneCpu), median(cpuRatios),
                    cpuSorted.get(cpuSorted.size() / 4), cpuSorted.get(cpuSorted.size() * 3 / 4));
        } finally {
            iperf.destroy();
            if (!iperf.waitFor(5, TimeUnit.SECONDS)) {
                iperf.destroyForcibly().waitFor();
            }
            for (NetworkPolicy p : policies.store().list()) {
                policies.delete(p.namespace(), p.name());
            }
        }
    }

    /**
     * One iperf3 run: Gbit/s received, and the CPU time of client and server (iperf3's own
     * getrusage: the veth, bridge, netfilter and TCP work of a packet runs in the sending
     * process's softirq, so it is charged there) in ms per GB moved.
     */
    @SuppressWarnings("unchecked")
    private static double[] iperf(NetpolPods.Pod client, NetpolPods.Pod server) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", client.netns.name(), "iperf3", "-c", server.ip.getHostAddress(),
                "-p", Integer.toString(IPERF_PORT), "-t", Integer.toString(IPERF_SECONDS), "-J").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("iperf3 failed: " + out);
        }
        Map<String, Object> end = (Map<String, Object>) JSON.std.mapFrom(out).get("end");
        Map<String, Object> received = (Map<String, Object>) end.get("sum_received");
        Map<String, Object> cpu = (Map<String, Object>) end.get("cpu_utilization_percent");
        double seconds = ((Number) received.get("seconds")).doubleValue(), bytes = ((Number) received.get("bytes")).doubleValue();
        double cpuSeconds = (((Number) cpu.get("host_total")).doubleValue() + ((Number) cpu.get("remote_total")).doubleValue()) / 100 * seconds;
        return new double[] {((Number) received.get("bits_per_second")).doubleValue() / 1e9, cpuSeconds * 1e3 / (bytes / 1e9)};
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    static String policy(int n, int port) {
        return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p" + n + ", namespace: " + List.of("x", "y", "z").get(n % 3)
                + "}\nspec:\n  podSelector: {matchLabels: {app: a" + (n % 5) + "}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {pod: p" + (n % 7)
                + "}}, namespaceSelector: {}}, {ipBlock: {cidr: 10.0.0.0/8, except: [10.244.2.0/24]}}]\n    ports: [{port: " + port
                + "}, {port: serve-80-udp, protocol: UDP}]\n";
    }
}
