package podnet.node.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import podnet.linux.inet.Cidr;

/** Which policy changes may skip the conntrack pass. */
class WideningTest {
    private final List<PolicyPod> pods = List.of(
            new PolicyPod("x", "a", Map.of("pod", "a"), Cidr.parseAddress("10.244.2.10"), List.of()),
            new PolicyPod("x", "b", Map.of("pod", "b"), Cidr.parseAddress("10.244.2.11"), List.of()));
    private final NetworkPolicy denyA = RulesetCompilerTest.policy("x", "deny-a", "podSelector: {matchLabels: {pod: a}}");
    private final NetworkPolicy allowA = RulesetCompilerTest.policy("x", "allow-a", """
            podSelector: {matchLabels: {pod: a}}
            ingress: [{from: [{podSelector: {matchLabels: {pod: b}}}]}]
            """);

    private PolicyView view(NetworkPolicy... ps) {
        return new PolicyView(List.of(ps), Map.of(), pods);
    }

    @Test
    void aPolicyThatOnlyAllowsMoreForPodsAlreadyIsolatedWidens() {
        assertThat(Widening.only(view(denyA), view(denyA, allowA))).isTrue();
        assertThat(Widening.only(view(denyA), view(denyA))).as("nothing changed").isTrue();
    }

    @Test
    void isolatingAPodRemovingOrChangingAPolicyNarrows() {
        assertThat(Widening.only(view(), view(allowA))).as("a is isolated by it").isFalse();
        assertThat(Widening.only(view(denyA, allowA), view(denyA))).as("an allow removed").isFalse();
        NetworkPolicy changed = RulesetCompilerTest.policy("x", "allow-a", """
                podSelector: {matchLabels: {pod: a}}
                ingress: [{from: [{podSelector: {matchLabels: {pod: c}}}]}]
                """);
        assertThat(Widening.only(view(denyA, allowA), view(denyA, changed))).as("a rule changed").isFalse();
        NetworkPolicy egress = RulesetCompilerTest.policy("x", "eg", "podSelector: {matchLabels: {pod: a}}\npolicyTypes: [Egress]");
        assertThat(Widening.only(view(denyA), view(denyA, egress))).as("isolated for ingress only before").isFalse();
    }
}
