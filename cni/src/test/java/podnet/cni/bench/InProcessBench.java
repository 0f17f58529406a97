package podnet.cni.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import podnet.cni.CniResponse;
import podnet.cni.PluginRunner;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;

/**
 * Our bridge plugin called in-process through PluginRunner (the daemon / runtime path, warm JVM):
 * ADD/CHECK/DEL median and p90 over N sequential pods, then C concurrent ADDs and DELs, in
 * throwaway namespaces. Not a test: run by bench/cni-bench.sh.
 */
public final class InProcessBench {
    private InProcessBench() {}

    public static void main(String[] args) throws Exception {
        int pods = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int conc = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        String tag = "bi-" + Long.toHexString(ProcessHandle.current().pid());
        List<String> made = new ArrayList<>();
        try {
            for (boolean masq : new boolean[] {false, true}) {
                Path data = Files.createTempDirectory("cni-bench-ip");
                String node = tag + "-n" + (masq ? 1 : 0);
                made.add(node);
                Netns n = NamedNetns.add(node);
                String conf = """
                        {"cniVersion":"1.0.0","name":"bench","type":"bridge","bridge":"cni0","isGateway":true,
                         "ipMasq":%s,"hairpinMode":true,"ipam":{"type":"host-local","dataDir":"%s",
                         "ranges":[[{"subnet":"10.244.2.0/24"}]]}}""".formatted(masq, data);
                run(n, made, tag + "-w" + (masq ? 1 : 0), 10, conf, null); // warm-up
                double[][] t = run(n, made, tag + "-s" + (masq ? 1 : 0), pods, conf, null);
                long[] c = new long[2];
                run(n, made, tag + "-c" + (masq ? 1 : 0), conc, conf, c);
                String m = masq ? "ipMasq on " : "ipMasq off";
                System.out.printf("%s  ADD   median %6.2f ms  p90 %6.2f ms%n", m, pct(t[0], 50), pct(t[0], 90));
                System.out.printf("%s  CHECK median %6.2f ms  p90 %6.2f ms%n", m, pct(t[1], 50), pct(t[1], 90));
                System.out.printf("%s  DEL   median %6.2f ms  p90 %6.2f ms%n", m, pct(t[2], 50), pct(t[2], 90));
                System.out.printf("%s  %d concurrent ADD %6.0f ms, DEL %6.0f ms%n", m, conc, c[0] / 1e6, c[1] / 1e6);
            }
        } finally {
            for (String s : made) {
                NamedNetns.deleteIfExists(s);
            }
        }
    }

    static double pct(double[] xs, int p) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.round(p / 100.0 * (s.length - 1)))];
    }

    static CniResponse call(Netns node, String cmd, String id, String pod, String conf) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", cmd);
        env.put("CNI_CONTAINERID", id);
        env.put("CNI_NETNS", "/run/netns/" + pod);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", "/usr/lib/cni");
        CniResponse r = node.call(() -> PluginRunner.run("bridge", env, conf.getBytes(StandardCharsets.UTF_8)));
        if (r.exitCode() != 0) {
            throw new IllegalStateException(cmd + " " + id + ": " + r.stdoutText());
        }
        return r;
    }

    /** Sequential (timings per op) or, with {@code total} given, concurrent (total times). */
    static double[][] run(Netns node, List<String> made, String prefix, int count, String conf, long[] total) throws Exception {
        List<String> pods = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String p = prefix + "-" + i;
            made.add(p);
            NamedNetns.add(p);
            pods.add(p);
        }
        double[][] t = new double[3][count];
        if (total == null) {
            for (int i = 0; i < count; i++) {
                long s = System.nanoTime();
                CniResponse r = call(node, "ADD", prefix + i, pods.get(i), conf);
                t[0][i] = (System.nanoTime() - s) / 1e6;
                String check = conf.replace("\"type\":\"bridge\",", "\"type\":\"bridge\",\"prevResult\":" + r.stdoutText() + ",");
                s = System.nanoTime();
                call(node, "CHECK", prefix + i, pods.get(i), check);
                t[1][i] = (System.nanoTime() - s) / 1e6;
            }
            for (int i = 0; i < count; i++) {
                long s = System.nanoTime();
                call(node, "DEL", prefix + i, pods.get(i), conf);
                t[2][i] = (System.nanoTime() - s) / 1e6;
            }
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(count);
            try {
                for (int phase = 0; phase < 2; phase++) {
                    String cmd = phase == 0 ? "ADD" : "DEL";
                    long s = System.nanoTime();
                    List<Future<CniResponse>> fs = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        int k = i;
                        fs.add(pool.submit(() -> call(node, cmd, prefix + k, pods.get(k), conf)));
                    }
                    for (Future<CniResponse> f : fs) {
                        f.get();
                    }
                    total[phase] = System.nanoTime() - s;
                }
            } finally {
                pool.shutdown();
            }
        }
        for (String p : pods) {
            NamedNetns.deleteIfExists(p);
            made.remove(p);
        }
        return t;
    }
}
