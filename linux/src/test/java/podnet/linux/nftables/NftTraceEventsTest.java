package podnet.linux.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.inet.Cidr;
import podnet.linux.nftables.FilterRule.Match;
import podnet.linux.nftables.FilterRule.Verdict;
import podnet.linux.sysctl.Sysctl;
import podnet.linux.testing.BridgeNode;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.ThrowawayNamespaces;

/**
 * A rule that marks packets for tracing, rules that only count, and the trace events a
 * listener in the namespace gets for a bridged ping the table drops (nft as the oracle for the
 * rules' text).
 */
class NftTraceEventsTest {
    private static final String T = "trace-test";
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("nfttrace");

    @Test
    void aTracedDropIsReportedRuleByRuleWithTheHeadersAndTheRulesComments() {
        Root.assumeProgram("nft");
        BridgeNode node = namespaces.bridgeNode(2);
        Sysctl.ensure(node.node, "net/bridge/bridge-nf-call-iptables", "1");
        FilterChain denied = FilterChain.regular("denied", List.of(
                FilterRule.of(Verdict.CONTINUE, new Match.Traced()),
                new FilterRule(List.of(new Match.AddressIn(false, "pods", false)), Verdict.CONTINUE, true, "x/deny-all"),
                new FilterRule(List.of(new Match.AddressIn(true, "pods", false)), Verdict.CONTINUE, true, "never: the source is not in pods"),
                new FilterRule(List.of(), Verdict.DROP, true, "the end")));
        FilterChain base = FilterChain.forward("base", 0, List.of(
                FilterRule.of(Verdict.jump("denied"), new Match.AddressIn(false, "pods", false))));
        try (FilterTable table = FilterTable.open(node.node, T); NftTraceEvents events = NftTraceEvents.open(node.node)) {
            table.replace(new FilterRuleset(List.of(FilterSet.addresses("pods",
                    Set.of(SetKey.address(Cidr.parseAddress("10.244.2.3"))))), List.of(denied, base)), null);
            assertThat(Nft.run(node.node.name(), "list", "chain", "inet", T, "denied"))
                    .contains("meta nftrace set 1").contains("ip daddr @pods counter packets 0 bytes 0 comment \"x/deny-all\"");

            assertThat(Ip.ping(node.pods.get(0).netns().name(), "10.244.2.3", 1)).isFalse();
            List<NftTrace> seen = new ArrayList<>();
            long until = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < until && seen.stream().noneMatch(NftTrace::dropped)) {
                seen.addAll(events.next(200));
            }
            NftTrace first = seen.getFirst();
            assertThat(seen).as("one packet's pass").allMatch(e -> e.id() == first.id() && e.table().equals(T));
            assertThat(Cidr.text(first.source())).isEqualTo("10.244.2.2");
            assertThat(Cidr.text(first.destination())).isEqualTo("10.244.2.3");
            assertThat(first.protocol()).isEqualTo(1);
            Map<Long, String> comments = table.ruleComments("denied");
            assertThat(seen).extracting(e -> e.chain() + " " + e.type() + " " + comments.getOrDefault(e.ruleHandle(), "-") + " " + e.verdict())
                    .containsExactly("denied RULE - -1", "denied RULE x/deny-all -1", "denied RULE the end 0");
            assertThat(seen.getLast().dropped()).isTrue();
            assertThat(Nft.run(node.node.name(), "list", "chain", "inet", T, "denied"))
                    .contains("counter packets 1 bytes 84 comment \"x/deny-all\"")
                    .contains("counter packets 0 bytes 0 comment \"never: the source is not in pods\"");
            assertThat(table.ruleComments("no-such-chain")).isEmpty();
        }
    }
}
