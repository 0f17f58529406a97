package podnet.node.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import podnet.linux.inet.Cidr;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.node.cluster.BackendType;
import podnet.node.policy.NetpolCases.Case;
import podnet.node.testing.ClusterFabric;

/**
 * The truth table with the pods spread over three nodes: three node namespaces on one fabric,
 * joined by podnet's node agent (private etcd, VXLAN), x/y/z's pods a, b, c on the nodes so that
 * each node has one pod of each namespace, and each node enforcing through its own
 * {@link ClusterPolicies} — what the agent's Kubernetes mode feeds — with the whole cluster's
 * pods (the others as peers). Egress is enforced on the source's node, ingress on the
 * destination's. Every case of {@link NetpolCases} must give the reference's 9x9 matrices.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTruthTableTest implements NetpolCases.NetpolDriver {
    private ClusterFabric f;
    private NetpolPods world;
    private final List<ClusterPolicies> nodes = new ArrayList<>();
    private final ReferenceNetpol reference = new ReferenceNetpol();
    private final Map<String, Map<String, String>> nsLabels = new LinkedHashMap<>();
    private long started;

    @BeforeAll
    void cluster() {
        Root.assume();
        started = System.nanoTime();
        f = ClusterFabric.flat("npt3", 3);
        List<Cidr> subnets = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            subnets.add(f.startAgent(i, BackendType.VXLAN).lease().subnet());
        }
        world = new NetpolPods(List.of(f.node(1).netns(), f.node(2).netns(), f.node(3).netns()), subnets);
        for (int i = 1; i <= 3; i++) {
            nodes.add(new ClusterPolicies(new PolicyEnforcer(f.node(i).netns()), f.node(i).stateDir()));
        }
        reset();
        // The agents program their peers in the background: wait until every pod reaches every pod.
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(30), () -> !world.measure().containsValue(false)))
                .as("the fabric carries every pair\n" + f.logs()).isTrue();
        System.out.printf("cluster truth table: 3 nodes, 9 pods ready in %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    @AfterAll
    void teardown() {
        try {
            if (world != null) {
                world.close();
            }
        } finally {
            if (f != null) {
                f.close();
            }
            System.out.printf("cluster truth table: %.1f s in all%n", (System.nanoTime() - started) / 1e9);
        }
    }

    @AfterEach
    void reset() {
        reference.clear();
        for (NetpolPods.Pod p : world.pods) {
            p.labels.clear();
            p.labels.put("pod", p.name);
        }
        Map<String, Map<String, String>> ns = new TreeMap<>();
        for (String n : NetpolPods.NAMESPACES) {
            ns.put(n, Map.of("ns", n));
            Map<String, String> l = new TreeMap<>(Map.of("ns", n, "kubernetes.io/metadata.name", n));
            nsLabels.put(n, l);
        }
        for (int i = 0; i < nodes.size(); i++) {
            ClusterPolicies c = nodes.get(i);
            c.replacePolicies(List.of());
            c.replaceNamespaces(ns);
            int here = i;
            c.replacePods(world.pods.stream().map(p -> p.viewFrom(here)).toList());
        }
        enforce();
    }

    private void enforce() {
        for (ClusterPolicies c : nodes) {
            c.enforce();
        }
    }

    static List<Case> cases() {
        return NetpolCases.all();
    }

    @Override
    public void apply(String yaml) {
        String y = world.resolve(yaml);
        for (NetworkPolicy p : PolicyManifest.parse(y, "default", false)) {
            nodes.forEach(c -> c.putPolicy(p));
        }
        reference.apply(y);
        enforce();
    }

    @Override
    public void delete(String ns, String name) {
        nodes.forEach(c -> c.removePolicy(ns, name));
        reference.delete(ns, name);
        enforce();
    }

    @Override
    public void relabelPod(String key, String label, String value) {
        NetpolPods.Pod p = world.pod(key);
        if (value == null) {
            p.labels.remove(label);
        } else {
            p.labels.put(label, value);
        }
        for (int i = 0; i < nodes.size(); i++) {
            nodes.get(i).putPod(p.viewFrom(i));
        }
        enforce();
    }

    @Override
    public void labelNamespace(String ns, String label, String value) {
        nsLabels.get(ns).put(label, value);
        Map<String, String> l = new TreeMap<>(nsLabels.get(ns));
        l.remove("kubernetes.io/metadata.name");
        nodes.forEach(c -> c.putNamespace(ns, l));
        enforce();
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matrix(Case c) {
        for (Consumer<NetpolCases.NetpolDriver> step : c.steps()) {
            step.accept(this);
        }
        Map<String, Boolean> expected = NetpolCases.newExpected();
        List<String> wrong = NetpolCases.wrong(world, reference, nsLabels, expected);
        assertThat(wrong).as(c.name() + "\n" + NetpolCases.table(world, expected)).isEmpty();
    }

    /** Where each direction is enforced: a node isolates its own pods only; the others are peers in its sets. */
    @Order(2)
    @Test
    void eachNodeIsolatesItsOwnPodsOnly() {
        apply(NetpolCases.policy("x", "both-ways", """
                podSelector: {}
                policyTypes: [Ingress, Egress]
                ingress: [{from: [{namespaceSelector: {matchLabels: {ns: "y"}}}]}]
                egress: [{to: [{namespaceSelector: {matchLabels: {ns: "y"}}}]}]
                """));
        for (int i = 0; i < 3; i++) {
            String ns = f.node(i + 1).netns().name();
            List<String> x = new ArrayList<>(), y = new ArrayList<>();
            for (NetpolPods.Pod p : world.pods) {
                if (p.namespace.equals("x") && p.node == i) {
                    x.add(Cidr.text(p.ip));
                }
                if (p.namespace.equals("y")) {
                    y.add(Cidr.text(p.ip));
                }
            }
            assertThat(elements(ns, "ingress-isolated")).as("node %d ingress-isolated", i + 1).containsExactlyInAnyOrderElementsOf(x);
            assertThat(elements(ns, "egress-isolated")).as("node %d egress-isolated", i + 1).containsExactlyInAnyOrderElementsOf(x);
            String unit = sets(ns).stream().filter(s -> s.endsWith("-in0-peers")).findFirst().orElseThrow();
            assertThat(elements(ns, unit)).as("node %d %s: y's pods of every node", i + 1, unit).containsExactlyInAnyOrderElementsOf(y);
        }
    }

    private static List<String> sets(String netns) {
        String out = Ip.run("ip", "netns", "exec", netns, "nft", "-j", "list", "sets", "inet").ok().out();
        List<String> names = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"name\": ?\"([^\"]+)\"").matcher(out);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The set's elements as nft lists them (addresses). */
    private static List<String> elements(String netns, String set) {
        String out = Ip.run("ip", "netns", "exec", netns, "nft", "-j", "list", "set", "inet", PolicyEnforcer.TABLE, set).ok().out();
        List<String> ips = new ArrayList<>();
        int elem = out.indexOf("\"elem\"");
        if (elem < 0) {
            return ips;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"(\\d+\\.\\d+\\.\\d+\\.\\d+)\"").matcher(out.substring(elem));
        while (m.find()) {
            ips.add(m.group(1));
        }
        return ips;
    }
}
