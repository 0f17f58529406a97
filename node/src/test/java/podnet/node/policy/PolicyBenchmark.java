package podnet.node.policy;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import podnet.linux.fs.DirectoryTree;
import podnet.linux.inet.Cidr;

/**
 * Not a test: {@code PolicyBenchmark} on a throwaway node with 200 pod addresses in the sets
 * (pods as policy sees them; the table does not care whether their netns exist) and 50 policies:
 * the time of one policy change (apply = store, compile, one transaction, conntrack pass), the
 * time of one pod's membership on ADD (podAdded), medians of 21 after 5 warm-ups.
 */
public final class PolicyBenchmark {
    public static void main(String[] args) throws Exception {
        try (NetpolPods world = new NetpolPods()) {
            Path state = Files.createTempDirectory("policy-bench-");
            try {
                List<PolicyPod> pods = new ArrayList<>(world.views());
                for (int i = 0; pods.size() < 200; i++) {
                    InetAddress ip = Cidr.parseAddress("10.244." + (3 + i / 250) + "." + (1 + i % 250));
                    pods.add(new PolicyPod(List.of("x", "y", "z").get(i % 3), "p" + i, Map.of("pod", "p" + (i % 7), "app", "a" + (i % 5)),
                            ip, NetpolPods.Pod.NAMED));
                }
                Policies policies = new Policies(state, world.node, () -> pods);
                for (int n = 0; n < 50; n++) {
                    policies.apply(PolicyManifest.parse(policy(n, 81), "default", false));
                }
                long[] change = new long[26];
                for (int k = 0; k < change.length; k++) {
                    long t0 = System.nanoTime();
                    policies.apply(PolicyManifest.parse(policy(49, 82 + k), "default", false));
                    change[k] = System.nanoTime() - t0;
                }
                long[] add = new long[26];
                for (int k = 0; k < add.length; k++) {
                    PolicyPod p = new PolicyPod("x", "new" + k, Map.of("pod", "p1", "app", "a1"),
                            Cidr.parseAddress("10.244.9." + (k + 1)), NetpolPods.Pod.NAMED);
                    pods.add(p);
                    long t0 = System.nanoTime();
                    policies.podAdded(p);
                    add[k] = System.nanoTime() - t0;
                }
                System.out.printf("policy change, 200 pods, 50 policies: median %.2f ms%n", median(change) / 1e6);
                System.out.printf("pod ADD membership (lock, state read, compile, one transaction): median %.3f ms%n", median(add) / 1e6);
                policies.apply(List.of());
            } finally {
                DirectoryTree.delete(state);
            }
        }
    }

    static String policy(int n, int port) {
        return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p" + n + ", namespace: " + List.of("x", "y", "z").get(n % 3)
                + "}\nspec:\n  podSelector: {matchLabels: {app: a" + (n % 5) + "}}\n  ingress:\n  - from: [{podSelector: {matchLabels: {pod: p" + (n % 7)
                + "}}, namespaceSelector: {}}, {ipBlock: {cidr: 10.0.0.0/8, except: [10.244.2.0/24]}}]\n    ports: [{port: " + port
                + "}, {port: serve-80-udp, protocol: UDP}]\n";
    }

    static long median(long[] v) {
        long[] s = Arrays.copyOfRange(v, 5, v.length);
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
