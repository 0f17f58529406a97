package podnet.linux.nftables;

import java.net.InetAddress;
import java.util.Arrays;
import podnet.linux.inet.Cidr;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Ip;

/**
 * Not a test: latency of Masquerade's calls in a throwaway namespace (median and p90 over
 * ROUNDS), next to `nft add element` run as a process, the cost this replaces. Run as root:
 * java --enable-native-access=ALL-UNNAMED -cp linux/target/classes:linux/target/test-classes:JACKSON_JR
 *   podnet.linux.nftables.MasqueradeBenchmark
 */
public final class MasqueradeBenchmark {
    static final int ROUNDS = 200;

    public static void main(String[] args) {
        String name = "pnbench-" + ProcessHandle.current().pid();
        Netns ns = NamedNetns.add(name);
        long tOpen = System.nanoTime();
        try (Masquerade m = Masquerade.open(ns)) {
            System.out.printf("open (cold JVM): %.3f ms%n", (System.nanoTime() - tOpen) / 1e6);
            Cidr subnet = Cidr.parse("10.244.0.0/16");
            long t0 = System.nanoTime();
            m.ensureNetwork("bench", subnet);
            System.out.printf("ensureNetwork, first (creates table/chain/set/rule): %.3f ms%n", (System.nanoTime() - t0) / 1e6);
            for (int i = 0; i < 50; i++) { // warm-up
                m.ensureNetwork("bench", subnet);
                m.add("bench", Cidr.add(Cidr.parseAddress("10.244.200.0"), i));
                m.remove("bench", Cidr.add(Cidr.parseAddress("10.244.200.0"), i));
            }
            report("ensureNetwork, all present", i -> m.ensureNetwork("bench", subnet));
            report("add element", i -> m.add("bench", addr(i)));
            report("members (" + ROUNDS + " elements)", i -> m.members("bench"));
            report("remove element", i -> m.remove("bench", addr(i)));
            report("nft add element (process)", i -> Ip.run("ip", "netns", "exec", name, "nft", "add", "element",
                    "inet", "podnet", "pn4-bench", "{ " + Cidr.text(addr(i)) + " }").ok());
            report("removeNetwork + ensureNetwork", i -> {
                m.removeNetwork("bench");
                m.ensureNetwork("bench", subnet);
            });
        } finally {
            NamedNetns.deleteIfExists(name);
        }
        // The first ensureNetwork in a fresh namespace with a warm JVM: the kernel's share.
        String fresh = name + "-2";
        Netns ns2 = NamedNetns.add(fresh);
        try (Masquerade m = Masquerade.open(ns2)) {
            long t0 = System.nanoTime();
            m.ensureNetwork("bench", Cidr.parse("10.244.0.0/16"));
            System.out.printf("ensureNetwork, first, warm JVM, fresh netns: %.3f ms%n", (System.nanoTime() - t0) / 1e6);
        } finally {
            NamedNetns.deleteIfExists(fresh);
        }
    }

    static InetAddress addr(int i) {
        return Cidr.add(Cidr.parseAddress("10.244.1.0"), i);
    }

    interface Step {
        void run(int i);
    }

    static void report(String what, Step step) {
        long[] ns = new long[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            long t = System.nanoTime();
            step.run(i);
            ns[i] = System.nanoTime() - t;
        }
        Arrays.sort(ns);
        System.out.printf("%-40s median %8.3f ms   p90 %8.3f ms%n", what, ns[ROUNDS / 2] / 1e6, ns[ROUNDS * 9 / 10] / 1e6);
    }
}
