package podnet.node.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The truth table's cases, shared by the one-node and the three-node tests: each a list of steps
 * done through a {@link NetpolDriver} (to the product and the reference alike), after which the
 * 9x9 matrix on TCP and UDP 80 and 81 is measured and compared. Addresses in manifests are
 * written {@code {y/b}} / {@code {x/a/29}} and filled in from the world's pods
 * ({@link NetpolPods#resolve}), so the cases keep their meaning wherever the pods are.
 */
final class NetpolCases {
    private NetpolCases() {}

    /** What a case can do. */
    interface NetpolDriver {
        void apply(String yaml);

        void delete(String ns, String name);

        void relabelPod(String key, String label, String value);

        void labelNamespace(String ns, String label, String value);
    }

    /** One case: steps done to both the product and the reference, then the matrix compared. */
    record Case(String name, List<Consumer<NetpolDriver>> steps) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case given(String name, String... yamls) {
        List<Consumer<NetpolDriver>> steps = new ArrayList<>();
        for (String y : yamls) {
            steps.add(t -> t.apply(y));
        }
        return new Case(name, steps);
    }

    @SafeVarargs
    static Case steps(String name, Consumer<NetpolDriver>... steps) {
        return new Case(name, List.of(steps));
    }

    static String policy(String ns, String name, String spec) {
        return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: " + name
                + "\n  namespace: " + ns + "\nspec:\n" + spec.stripIndent().indent(2);
    }

    static List<Case> all() {
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
                              cidr: 10.244.0.0/16
                              except: ["{y/b}/32", "{z/a/31}"]
                        """)),
                given("ipBlock egress: only to {x/a/29} but {y/c}", policy("y", "egress-cidr", """
                        podSelector: {}
                        policyTypes: [Egress]
                        egress:
                        - to:
                          - ipBlock: {cidr: "{x/a/29}", except: ["{y/c}/32"]}
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

    /** The probes whose measured result differs from the reference's, as "probe: expected …, measured …". */
    static List<String> wrong(NetpolPods world, ReferenceNetpol reference, Map<String, Map<String, String>> nsLabels,
            Map<String, Boolean> expected) {
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
        return wrong;
    }

    /** The expected matrix as the upstream suite prints it: X allowed, . denied (TCP 80 only). */
    static String table(NetpolPods world, Map<String, Boolean> m) {
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

    static Map<String, Boolean> newExpected() {
        return new LinkedHashMap<>();
    }
}
