package podnet.node.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.inet.Cidr;
import podnet.linux.nftables.FilterTable;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/**
 * The kernel side of policy changes, checked with {@code nft -j list ruleset} in a throwaway
 * node namespace (pods are addresses only: the table does not care whether they exist).
 */
class PolicyEnforcerTest {
    @TempDir
    Path state;
    private TestNetns namespaces;
    private Netns node;
    private final List<PolicyPod> pods = new ArrayList<>();
    private Policies policies;

    @BeforeEach
    void node() {
        Root.assume();
        Root.assumeProgram("nft");
        namespaces = new TestNetns("policy2-enf");
        node = namespaces.add("node");
        for (int i = 0; i < 4; i++) {
            pods.add(new PolicyPod("x", "p" + i, Map.of("pod", "p" + i), Cidr.parseAddress("10.244.2." + (10 + i)), List.of()));
        }
        policies = new Policies(state, node, () -> pods);
    }

    @AfterEach
    void cleanup() {
        if (namespaces != null) {
            namespaces.close();
        }
    }

    private static List<NetworkPolicy> policy(String name, String spec) {
        return List.of(RulesetCompilerTest.policy("x", name, spec));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Map<String, Object>> objects(String kind) throws Exception {
        String out = Ip.run("ip", "netns", "exec", node.name(), "nft", "-j", "list", "table", "inet", PolicyEnforcer.TABLE).ok().out();
        Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
        for (Object o : (List<Object>) JSON.std.mapFrom(out).get("nftables")) {
            Map<String, Object> m = (Map<String, Object>) ((Map<String, Object>) o).get(kind);
            if (m != null) {
                byName.put((String) m.get("name"), m);
            }
        }
        return byName;
    }

    @Test
    void aPolicyChangeReplacesThatPolicysUnitAndNothingElse() throws Exception {
        policies.apply(policy("a", "podSelector: {matchLabels: {pod: p0}}"));
        policies.apply(policy("b", "podSelector: {matchLabels: {pod: p1}}\ningress: [{from: [{podSelector: {matchLabels: {pod: p2}}}]}]"));
        Map<String, Map<String, Object>> before = objects("chain");
        PolicyEnforcer.Outcome o = policies.apply(policy("b", "podSelector: {matchLabels: {pod: p1}}\ningress: [{from: [{podSelector: {matchLabels: {pod: p3}}}]}]"));
        assertThat(o.replaced()).isFalse();
        assertThat(o.unitsAdded()).isEqualTo(1);
        assertThat(o.unitsRemoved()).isEqualTo(1);
        Map<String, Map<String, Object>> after = objects("chain");
        String unitA = RulesetCompiler.template(policies.store().get("x", "a").orElseThrow()).id();
        assertThat(after.get(unitA + "-ingress").get("handle")).as("x/a's chain is the same object").isEqualTo(before.get(unitA + "-ingress").get("handle"));
        assertThat(after.keySet()).hasSize(before.size()).isNotEqualTo(before.keySet());
        String unitB = RulesetCompiler.template(policies.store().get("x", "b").orElseThrow()).id();
        assertThat(objects("set").get(unitB + "-in0-peers").get("elem")).isEqualTo(List.of("10.244.2.13"));
    }

    @Test
    void aPodAddedWhileTheTableIsGoneBringsItAllBack() throws Exception {
        policies.apply(policy("deny", "podSelector: {}"));
        try (FilterTable t = FilterTable.open(node, PolicyEnforcer.TABLE)) {
            t.destroy(); // e.g. the node rebooted and the state directory survived
        }
        PolicyPod fresh = new PolicyPod("x", "new", Map.of(), Cidr.parseAddress("10.244.2.20"), List.of());
        pods.add(fresh);
        policies.podAdded(fresh);
        assertThat((List<Object>) objects("set").get(RulesetCompiler.INGRESS_ISOLATED).get("elem"))
                .containsExactlyInAnyOrder("10.244.2.10", "10.244.2.11", "10.244.2.12", "10.244.2.13", "10.244.2.20");
    }

    @Test
    void syncPutsBackAnElementTheKernelLost() throws Exception {
        policies.apply(policy("deny", "podSelector: {}"));
        Ip.run("ip", "netns", "exec", node.name(), "nft", "delete", "element", "inet", PolicyEnforcer.TABLE,
                RulesetCompiler.INGRESS_ISOLATED, "{ 10.244.2.11 }").ok();
        PolicyEnforcer.Outcome o = policies.sync();
        assertThat(o.elementChanges()).isEqualTo(1);
        assertThat((List<Object>) objects("set").get(RulesetCompiler.INGRESS_ISOLATED).get("elem")).contains("10.244.2.11");
    }

    @Test
    void aTableOfAnotherLayoutIsWrittenAnew() throws Exception {
        Ip.run("ip", "netns", "exec", node.name(), "nft", "add", "table", "inet", PolicyEnforcer.TABLE,
                "{ comment \"podnet-policy 0123456789abcdef\"; }").ok();
        Ip.run("ip", "netns", "exec", node.name(), "nft", "add", "set", "inet", PolicyEnforcer.TABLE, "p0-pods", "{ type ipv4_addr; }").ok();
        PolicyEnforcer.Outcome o = policies.apply(policy("deny", "podSelector: {}"));
        assertThat(o.replaced()).isTrue();
        assertThat(objects("set")).doesNotContainKey("p0-pods");
        try (FilterTable t = FilterTable.open(node, PolicyEnforcer.TABLE)) {
            assertThat(t.comment()).contains(RulesetCompiler.LAYOUT);
        }
    }
}
