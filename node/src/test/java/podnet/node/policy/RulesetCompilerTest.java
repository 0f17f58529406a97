package podnet.node.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import podnet.linux.inet.Cidr;
import podnet.linux.nftables.FilterChain;
import podnet.linux.nftables.FilterRule;
import podnet.linux.nftables.FilterRule.Verdict;
import podnet.linux.nftables.FilterSet;
import podnet.linux.nftables.FilterTable.ElementChange;
import podnet.linux.nftables.SetKey;

/** Units named by their policy; a pod's memberships are exactly what the full compile gives it. */
class RulesetCompilerTest {
    private static final List<PolicyPod.NamedPort> PORTS = List.of(new PolicyPod.NamedPort("http", 80, "TCP"));

    static NetworkPolicy policy(String ns, String name, String spec) {
        return PolicyManifest.parse(NetpolTruthTableTest.policy(ns, name, spec), "default", false).getFirst();
    }

    private static PolicyPod pod(String ns, String name, String app, int ip) {
        return new PolicyPod(ns, name, Map.of("app", app), Cidr.parseAddress("10.244.2." + ip), PORTS);
    }

    private final List<NetworkPolicy> policies = List.of(
            policy("x", "web", """
                    podSelector: {matchLabels: {app: web}}
                    ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {app: db}}}], ports: [{port: http}]}]
                    egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.244.0.0/16]}}, {podSelector: {}}], ports: [{port: http}, {port: 53, protocol: UDP}]}]
                    """),
            policy("y", "deny", "podSelector: {}"));
    private final Map<String, Map<String, String>> namespaces = Map.of("x", Map.of("ns", "x"), "y", Map.of("ns", "y"));

    @Test
    void aPodsMembershipsAreWhatTheFullCompileGivesIt() {
        List<PolicyPod> pods = List.of(pod("x", "a", "web", 10), pod("x", "b", "db", 11), pod("y", "c", "db", 12), pod("z", "d", "web", 13));
        PolicyView view = new PolicyView(policies, namespaces, pods);
        Set<String> all = new HashSet<>();
        for (FilterSet s : RulesetCompiler.compile(view).podSets()) {
            s.keys().forEach(k -> all.add(s.name() + " " + k));
        }
        Set<String> perPod = new HashSet<>();
        for (PolicyPod p : pods) {
            for (ElementChange c : RulesetCompiler.memberships(view, p, true)) {
                assertThat(c.add()).isTrue();
                perPod.add(c.set() + " " + c.key());
            }
        }
        assertThat(perPod).isEqualTo(all).isNotEmpty();
    }

    @Test
    void aUnitIsNamedByItsPolicyKeySelectorsAndRules() {
        String a = RulesetCompiler.compile(new PolicyView(policies, namespaces, List.of())).templates().getFirst().id();
        assertThat(a).matches("p[0-9a-f]{10}");
        assertThat(RulesetCompiler.template(policy("x", "web", """
                podSelector: {matchLabels: {app: web}}
                ingress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}, podSelector: {matchLabels: {app: db}}}], ports: [{port: http}]}]
                egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.244.0.0/16]}}, {podSelector: {}}], ports: [{port: http}, {port: 53, protocol: UDP}]}]
                """)).id()).as("the same policy parsed again").isEqualTo(a);
        List<String> others = new ArrayList<>();
        others.add(RulesetCompiler.template(policy("y", "web", "podSelector: {matchLabels: {app: web}}")).id());
        // Same shape (one peer set, one rule), other selector: other elements, so another unit.
        others.add(RulesetCompiler.template(policy("x", "p", "podSelector: {}\ningress: [{from: [{namespaceSelector: {matchLabels: {ns: y}}}]}]")).id());
        others.add(RulesetCompiler.template(policy("x", "p", "podSelector: {}\ningress: [{from: [{namespaceSelector: {matchLabels: {ns: z}}}]}]")).id());
        assertThat(others).doesNotHaveDuplicates().doesNotContain(a);
        assertThat(RulesetCompiler.compile(new PolicyView(policies, namespaces, List.of())).ruleset().sets())
                .allSatisfy(s -> assertThat(s.name()).matches("(egress|ingress)-isolated|p[0-9a-f]{10}-.*"));
    }

    @Test
    void oneBaseChainWhoseEveryPathEndsInAVerdict() {
        RulesetCompiler.Compiled c = RulesetCompiler.compile(new PolicyView(policies, namespaces, List.of(pod("x", "a", "web", 10))));
        List<FilterChain> chains = c.ruleset().chains();
        assertThat(chains.stream().filter(ch -> ch.forwardPriority() != null).map(FilterChain::name)).containsExactly(RulesetCompiler.FILTER_CHAIN);
        FilterChain filter = chains.getLast(), ingress = chains.stream().filter(ch -> ch.name().equals(RulesetCompiler.INGRESS_CHAIN)).findFirst().orElseThrow();
        assertThat(filter.rules().getFirst().matches()).containsExactly(new FilterRule.Match.EstablishedOrRelated());
        assertThat(filter.rules().getLast()).isEqualTo(FilterRule.of(Verdict.jump(RulesetCompiler.INGRESS_CHAIN)));
        // The ingress check never falls back into the egress part: it ends in accept.
        assertThat(ingress.rules().getLast()).isEqualTo(FilterRule.of(Verdict.ACCEPT));
        FilterChain egress = chains.stream().filter(ch -> ch.name().endsWith("-egress")).findFirst().orElseThrow();
        assertThat(egress.rules()).isNotEmpty().allSatisfy(r -> assertThat(r.verdict()).isEqualTo(Verdict.jump(RulesetCompiler.INGRESS_CHAIN)));
        FilterChain in = chains.stream().filter(ch -> ch.name().endsWith("-ingress") && ch != ingress).findFirst().orElseThrow();
        assertThat(in.rules()).isNotEmpty().allSatisfy(r -> assertThat(r.verdict()).isEqualTo(Verdict.ACCEPT));
    }

    @Test
    void ingressNamedPortSetsHoldOnlyTheSelectedPods() {
        PolicyView view = new PolicyView(policies, namespaces, List.of(pod("x", "a", "web", 10), pod("x", "b", "db", 11)));
        RulesetCompiler.Unit web = RulesetCompiler.compile(view).units().getFirst();
        FilterSet ingressPort = web.sets().stream().filter(s -> s.name().endsWith("-in0-port0")).findFirst().orElseThrow();
        FilterSet egressPort = web.sets().stream().filter(s -> s.name().endsWith("-out0-port0")).findFirst().orElseThrow();
        assertThat(ingressPort.keys()).containsExactly(SetKey.service(Cidr.parseAddress("10.244.2.10"), 6, 80));
        assertThat(egressPort.keys()).hasSize(2);
    }
}
