package podnet.node.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import podnet.linux.conntrack.Conntrack;
import podnet.linux.conntrack.ConntrackEntry;
import podnet.linux.fs.DirectoryTree;
import podnet.linux.testing.Root;

/**
 * The upstream Netpol e2e truth table on one node: for each case the full 9x9 matrix on TCP and
 * UDP 80 and 81, measured with real connections through the kernel's table, must equal the
 * matrix the test's own {@link ReferenceNetpol} computes from the same manifests and labels.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetpolTruthTableTest {
    private NetpolPods world;
    private Path state;
    private Policies policies;
    private final ReferenceNetpol reference = new ReferenceNetpol();
    private final Map<String, Map<String, String>> nsLabels = new LinkedHashMap<>();

    @BeforeAll
    void world() throws Exception {
        Root.assume();
        state = Files.createTempDirectory("policy-truth-");
        world = new NetpolPods();
        policies = new Policies(state, world.node, world::views);
        reset();
    }

    @AfterAll
    void teardown() {
        if (world != null) {
            world.close();
        }
        if (state != null) {
            DirectoryTree.delete(state);
        }
    }

    @AfterEach
    void reset() {
        for (NetworkPolicy p : policies.store().list()) {
            policies.store().delete(p.namespace(), p.name());
        }
        reference.clear();
        for (NetpolPods.Pod p : world.pods) {
            p.labels.clear();
            p.labels.put("pod", p.name);
        }
        for (String ns : NetpolPods.NAMESPACES) {
            Map<String, String> l = new TreeMap<>(Map.of("ns", ns));
            policies.namespaces().label(ns, l, List.of("team"));
            l.put("kubernetes.io/metadata.name", ns);
            nsLabels.put(ns, l);
        }
        policies.sync();
    }

    /** One case: steps done to both the product and the reference, then the matrix compared. */
    record Case(String name, List<Consumer<NetpolTruthTableTest>> steps) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case given(String name, String... yamls) {
        List<Consumer<NetpolTruthTableTest>> steps = new ArrayList<>();
        for (String y : yamls) {
            steps.add(t -> t.apply(y));
        }
        return new Case(name, steps);
    }

    @SafeVarargs
    static Case steps(String name, Consumer<NetpolTruthTableTest>... steps) {
        return new Case(name, List.of(steps));
    }

    void apply(String yaml) {
        policies.apply(PolicyManifest.parse(yaml, "default", false));
        reference.apply(yaml);
    }

    void delete(String ns, String name) {
        assertThat(policies.delete(ns, name)).isTrue();
        reference.delete(ns, name);
    }

    void relabelPod(String key, String label, String value) {
        NetpolPods.Pod p = world.pod(key);
        if (value == null) {
            p.labels.remove(label);
        } else {
            p.labels.put(label, value);
        }
        policies.sync(); // what a pod relabel does
    }

    void labelNamespace(String ns, String label, String value) {
        policies.labelNamespace(ns, Map.of(label, value), List.of());
        nsLabels.get(ns).put(label, value);
    }

    static String policy(String ns, String name, String spec) {
        return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: " + name
                + "\n  namespace: " + ns + "\nspec:\n" + spec.stripIndent().indent(2);
    }

    static List<Case> cases() {
        return List.of(
                given("no policy: everything allowed"),
                given("deny-all ingress in x", policy("x", "deny-all", """
                        podSelector: {}
                        policyTypes: [Ingress]
                        """)),
                given("deny-all ingress everywhere", policy("x", "deny", "podSelector: {}"),
                        policy("y", "deny", "podSelector: {}"), policy("z", "deny", "podSelector: {}")),
                given("deny-all egress in x but UDP 53", policy("x", "deny-egress", """
                        podSelector: {}
                        policyTypes: [Egress]
                        egress:
                        - ports:
                          - protocol: UDP
                            port: 53
                        """)),
                given("deny all both ways for y/b", policy("y", "isolate-b", """
                        podSelector: {matchLabels: {pod: b}}
                        policyTypes: [Ingress, Egress]
                        """)),
                given("allow from the same namespace", policy("x", "same-ns", """
                        podSelector: {}
                        ingress:
                        - from:
                          - podSelector: {}
                        """)),
                given("x/a from namespace y", policy("x", "from-y", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from:
                          - namespaceSelector: {matchLabels: {ns: "y"}}
                        """)),
                given("podSelector AND namespaceSelector (one peer)", policy("x", "and", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from:
                          - namespaceSelector: {matchLabels: {ns: "y"}}
                            podSelector: {matchLabels: {pod: b}}
                        """)),
                given("podSelector OR namespaceSelector (two peers)", policy("x", "or", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from:
                          - namespaceSelector: {matchLabels: {ns: "y"}}
                          - podSelector: {matchLabels: {pod: b}}
                        """)),
                given("namespaceSelector NotIn, podSelector In", policy("z", "expr", """
                        podSelector: {matchExpressions: [{key: pod, operator: In, values: [a, b]}]}
                        ingress:
                        - from:
                          - namespaceSelector: {matchExpressions: [{key: ns, operator: NotIn, values: ["x"]}]}
                            podSelector: {matchExpressions: [{key: pod, operator: Exists}]}
                        """)),
                given("all namespaces: namespaceSelector {}", policy("y", "any-ns", """
                        podSelector: {matchLabels: {pod: c}}
                        ingress:
                        - from:
                          - namespaceSelector: {}
                            podSelector: {matchLabels: {pod: a}}
                        """)),
                given("ipBlock with except (ingress)", policy("x", "cidr", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from:
                          - ipBlock:
                              cidr: 10.244.2.0/24
                              except: [10.244.2.14/32, 10.244.2.16/31]
                        """)),
                given("ipBlock egress: only to 10.244.2.8/29", policy("y", "egress-cidr", """
                        podSelector: {}
                        policyTypes: [Egress]
                        egress:
                        - to:
                          - ipBlock: {cidr: 10.244.2.8/29, except: [10.244.2.12/32]}
                        """)),
                given("ingress TCP 80 only", policy("x", "tcp80", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - ports:
                          - port: 80
                        """)),
                given("ingress UDP 81 only from y", policy("x", "udp81", """
                        podSelector: {matchLabels: {pod: b}}
                        ingress:
                        - from: [{namespaceSelector: {matchLabels: {ns: "y"}}}]
                          ports:
                          - protocol: UDP
                            port: 81
                        """)),
                given("named port serve-81-tcp", policy("x", "named-tcp", """
                        podSelector: {}
                        ingress:
                        - ports:
                          - port: serve-81-tcp
                        """)),
                given("named port serve-80-udp, egress", policy("z", "named-udp", """
                        podSelector: {matchLabels: {pod: a}}
                        policyTypes: [Egress]
                        egress:
                        - ports:
                          - protocol: UDP
                            port: serve-80-udp
                        """)),
                given("port range 80-81 TCP", policy("y", "range", """
                        podSelector: {}
                        ingress:
                        - ports:
                          - port: 80
                            endPort: 81
                        """)),
                given("port range 81-90 UDP", policy("y", "range-udp", """
                        podSelector: {}
                        ingress:
                        - ports:
                          - protocol: UDP
                            port: 81
                            endPort: 90
                        """)),
                given("egress TCP 81 only", policy("x", "egress-81", """
                        podSelector: {}
                        policyTypes: [Egress]
                        egress:
                        - ports: [{port: 81}]
                        """)),
                given("union of two policies on x/a", policy("x", "from-b", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from: [{podSelector: {matchLabels: {pod: b}}}]
                        """), policy("x", "from-z", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from: [{namespaceSelector: {matchLabels: {ns: "z"}}}]
                          ports: [{port: 81}]
                        """)),
                given("union of a deny-all and an allow", policy("y", "deny-all", "podSelector: {}"), policy("y", "allow-c", """
                        podSelector: {matchLabels: {pod: c}}
                        ingress: [{}]
                        """)),
                given("policyTypes Ingress: egress rules ignored", policy("z", "ingress-only", """
                        podSelector: {}
                        policyTypes: [Ingress]
                        ingress:
                        - from: [{podSelector: {}}]
                        egress:
                        - to: [{podSelector: {matchLabels: {pod: x}}}]
                        """)),
                given("egress rules default policyTypes to both", policy("z", "both", """
                        podSelector: {matchLabels: {pod: b}}
                        egress:
                        - to: [{namespaceSelector: {matchLabels: {ns: "x"}}}]
                        """)),
                given("egress to own namespace and ingress from all", policy("x", "stay-home", """
                        podSelector: {}
                        policyTypes: [Ingress, Egress]
                        ingress: [{}]
                        egress:
                        - to: [{podSelector: {}}]
                        """), policy("z", "no-x", """
                        podSelector: {}
                        ingress:
                        - from: [{namespaceSelector: {matchExpressions: [{key: ns, operator: In, values: ["y", "z"]}]}}]
                        """)),
                steps("update a policy", t -> t.apply(policy("x", "p", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress: [{from: [{namespaceSelector: {matchLabels: {ns: "y"}}}]}]
                        """)), t -> t.apply(policy("x", "p", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress: [{from: [{namespaceSelector: {matchLabels: {ns: "z"}}}]}]
                        """))),
                steps("delete a policy", t -> t.apply(policy("x", "deny", "podSelector: {}")),
                        t -> t.apply(policy("y", "deny", "podSelector: {}")), t -> t.delete("x", "deny")),
                steps("a peer pod relabelled while the policy applies", t -> t.apply(policy("x", "team", """
                        podSelector: {matchLabels: {pod: a}}
                        ingress:
                        - from: [{namespaceSelector: {}, podSelector: {matchLabels: {team: blue}}}]
                        """)), t -> t.relabelPod("y/c", "team", "blue"), t -> t.relabelPod("z/b", "team", "blue")),
                steps("a selected pod relabelled out of the policy", t -> t.apply(policy("y", "deny-a", """
                        podSelector: {matchLabels: {pod: a}}
                        policyTypes: [Ingress, Egress]
                        """)), t -> t.relabelPod("y/a", "pod", "a2")),
                steps("a namespace relabelled while the policy applies", t -> t.apply(policy("x", "team-ns", """
                        podSelector: {}
                        ingress:
                        - from: [{namespaceSelector: {matchLabels: {team: blue}}}]
                        """)), t -> t.labelNamespace("z", "team", "blue")));
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matrix(Case c) {
        for (Consumer<NetpolTruthTableTest> step : c.steps()) {
            step.accept(this);
        }
        Map<String, Boolean> expected = new LinkedHashMap<>();
        for (NetpolPods.Pod s : world.pods) {
            for (NetpolPods.Pod d : world.pods) {
                for (int port : NetpolPods.PORTS) {
                    for (int proto : new int[] {NetpolPods.TCP, NetpolPods.UDP}) {
                        expected.put(NetpolPods.probe(s, d, proto, port), reference.allowed(s, d, proto, port, nsLabels));
                    }
                }
            }
        }
        Map<String, Boolean> measured = world.measure();
        List<String> wrong = new ArrayList<>();
        expected.forEach((k, v) -> {
            if (!v.equals(measured.get(k))) {
                wrong.add(k + ": expected " + (v ? "allowed" : "denied") + ", measured " + (measured.get(k) ? "allowed" : "denied"));
            }
        });
        assertThat(wrong).as(c.name() + "\n" + table(expected)).isEmpty();
    }

    @Order(2)
    @Test
    void aNewPolicyCutsTheConnectionsItForbids() throws Exception {
        NetpolPods.Pod a = world.pod("x/a"), b = world.pod("x/b");
        // Some policy already in force: conntrack runs in the node namespace only once a rule needs it
        // (before the first policy a flow has no entry, and its next packet after one is simply new).
        apply(policy("z", "unrelated", "podSelector: {}"));
        try (DatagramChannel ch = b.netns.call(DatagramChannel::open)) {
            InetSocketAddress to = new InetSocketAddress(a.ip, 80);
            ch.socket().setSoTimeout(500);
            assertThat(exchange(ch, to)).as("before the policy").isTrue();
            int port = ch.socket().getLocalPort();
            assertThat(flow(b, a, port)).as("conntrack entry of the flow").isTrue();
            apply(policy("x", "deny-all", "podSelector: {}"));
            assertThat(flow(b, a, port)).as("entry removed by the policy change").isFalse();
            assertThat(exchange(ch, to)).as("same socket, same 5-tuple, after the policy").isFalse();
        }
    }

    private boolean flow(NetpolPods.Pod src, NetpolPods.Pod dst, int srcPort) {
        try (Conntrack ct = Conntrack.open(world.node)) {
            for (ConntrackEntry e : ct.list()) {
                if (e.source().equals(src.ip) && e.destination().equals(dst.ip) && e.sourcePort() == srcPort) {
                    return true;
                }
            }
            return false;
        }
    }

    private static boolean exchange(DatagramChannel ch, InetSocketAddress to) throws Exception {
        ch.send(ByteBuffer.wrap(new byte[] {'p'}), to);
        try {
            ch.socket().receive(new DatagramPacket(new byte[16], 16));
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Order(3)
    @Test
    void theNodeAlwaysReachesItsPods() {
        for (String ns : NetpolPods.NAMESPACES) {
            apply(policy(ns, "deny-both", """
                    podSelector: {}
                    policyTypes: [Ingress, Egress]
                    """));
        }
        for (NetpolPods.Pod p : world.pods) {
            SocketChannel ch = world.node.call(SocketChannel::open);
            assertThat(NetpolPods.tcp(ch, new InetSocketAddress(p.ip, 80))).as("node -> " + p.key()).isTrue();
        }
        world.measure().forEach((probe, reached) -> {
            String[] ends = probe.split(" ")[0].split("->");
            assertThat(reached).as(probe).isEqualTo(ends[0].equals(ends[1]));
        });
    }

    @Order(4)
    @Test
    void aNewPodIsCoveredWhenItsAddReturns() {
        apply(policy("x", "deny-all", "podSelector: {}"));
        NetpolPods.Pod d = world.add("x", "d");
        policies.podAdded(d.view()); // what pod run does right after the CNI ADD
        SocketChannel ch = world.pod("y/a").netns.call(SocketChannel::open);
        assertThat(NetpolPods.tcp(ch, new InetSocketAddress(d.ip, 80))).as("y/a -> new pod x/d").isFalse();
        SocketChannel out = d.netns.call(SocketChannel::open);
        assertThat(NetpolPods.tcp(out, new InetSocketAddress(world.pod("y/a").ip, 80))).as("x/d -> y/a (egress open)").isTrue();
    }

    /** The expected matrix as the upstream suite prints it: X allowed, . denied (TCP 80 only). */
    private String table(Map<String, Boolean> m) {
        StringBuilder sb = new StringBuilder("expected tcp/80:\n       ");
        world.pods.forEach(d -> sb.append(String.format("%-4s", d.key())));
        sb.append('\n');
        for (NetpolPods.Pod s : world.pods) {
            sb.append(String.format("%-7s", s.key()));
            for (NetpolPods.Pod d : world.pods) {
                sb.append(m.get(NetpolPods.probe(s, d, NetpolPods.TCP, 80)) ? "X   " : ".   ");
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
