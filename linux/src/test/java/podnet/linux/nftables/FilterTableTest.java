package podnet.linux.nftables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.nftables.FilterRule.Match;
import podnet.linux.nftables.FilterRule.Verdict;
import podnet.linux.nftables.FilterTable.ElementChange;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/** FilterTable against the kernel in a throwaway namespace, with {@code nft -j list ruleset} as the oracle. */
class FilterTableTest {
    private static final String T = "ft-test";
    TestNetns namespaces;
    Netns node;
    FilterTable table;

    @BeforeEach
    void setUp() {
        namespaces = new TestNetns("policy2-ft");
        Root.assumeProgram("nft");
        node = namespaces.add("node");
        table = FilterTable.open(node, T);
    }

    @AfterEach
    void tearDown() {
        try {
            if (table != null) {
                table.close();
            }
        } finally {
            namespaces.close();
        }
    }

    static SetKey ip(String a) {
        return SetKey.address(Cidr.parseAddress(a));
    }

    /** pods, a /8 without a /16, a service set; chain "allow" reached from the forward base chain "base". */
    static FilterRuleset ruleset() {
        List<FilterSet> sets = List.of(
                FilterSet.addresses("pods", Set.of(ip("10.244.2.10"), ip("10.244.2.11"))),
                FilterSet.ranges("cidrs", List.of(new AddressRange(AddressRange.number(Cidr.parseAddress("10.0.0.0")),
                        AddressRange.number(Cidr.parseAddress("10.243.255.255"))))),
                FilterSet.services("svc", Set.of(SetKey.service(Cidr.parseAddress("10.244.2.10"), 6, 8080))));
        FilterChain keep = FilterChain.regular("keep", List.of(FilterRule.of(Verdict.ACCEPT, new Match.AddressIn(true, "pods", false))));
        FilterChain allow = FilterChain.regular("allow", List.of(
                FilterRule.of(Verdict.ACCEPT, new Match.AddressIn(true, "cidrs", false), new Match.Protocol(6), new Match.DestPort(80, 81)),
                FilterRule.of(Verdict.ACCEPT, new Match.DestServiceIn("svc"))));
        FilterChain base = FilterChain.forward("base", 0, List.of(
                FilterRule.of(Verdict.ACCEPT, new Match.EstablishedOrRelated()),
                new FilterRule(List.of(new Match.TcpMidstreamPickup(), new Match.AddressIn(true, "pods", false)), Verdict.DROP, false, null),
                new FilterRule(List.of(new Match.AddressIn(false, "pods", false)), Verdict.jump("allow"), false, "to pods"),
                new FilterRule(List.of(new Match.AddressIn(false, "pods", false)), Verdict.DROP, true, "pods: nothing else")));
        return new FilterRuleset(sets, List.of(keep, allow, base));
    }

    @Test
    void replaceWritesTheRulesetAsNftReadsIt() {
        assertThat(table.comment()).isEmpty();
        table.replace(ruleset(), "owner v1");
        assertThat(table.comment()).contains("owner v1");
        Nft nft = Nft.ruleset(node.name());
        assertThat(nft.elements("pods")).containsExactlyInAnyOrder("10.244.2.10", "10.244.2.11");
        assertThat(nft.set("svc")).containsEntry("type", List.of("ipv4_addr", "inet_proto", "inet_service"));
        assertThat(nft.elements("cidrs")).singleElement().asString().contains("10.0.0.0").contains("10.243.255.255");
        assertThat(nft.all("chain")).anySatisfy(c -> assertThat(c).containsEntry("name", "base").containsEntry("hook", "forward")
                .containsEntry("prio", 0).containsEntry("policy", "accept"));
        String allow = nft.chainText(T, "allow"), fwd = nft.chainText(T, "base");
        assertThat(allow).contains("ip saddr @cidrs tcp dport 80-81 accept")
                .contains("ip daddr . meta l4proto . th dport @svc accept");
        assertThat(fwd).contains("ct state established,related accept").contains("ip daddr @pods jump allow comment \"to pods\"")
                .contains("ct state new tcp flags ! syn ip saddr @pods drop")
                .contains("ip daddr @pods counter packets 0 bytes 0 drop comment \"pods: nothing else\"");
        assertThat(table.chains()).containsExactlyInAnyOrder("keep", "allow", "base");
        assertThat(table.sets()).containsExactlyInAnyOrder("pods", "cidrs", "svc");
        assertThat(table.keys("pods")).containsExactlyInAnyOrder(ip("10.244.2.10"), ip("10.244.2.11"));
        assertThat(table.keys("svc")).containsExactly(SetKey.service(Cidr.parseAddress("10.244.2.10"), 6, 8080));
    }

    @Test
    void editRemovesAddsAndRewritesInOneTransaction() {
        table.replace(ruleset(), "v1");
        Object keepHandle = handle("keep");
        FilterChain other = FilterChain.regular("other", List.of(FilterRule.of(Verdict.ACCEPT, new Match.AddressIn(true, "more", false))));
        FilterChain base = FilterChain.forward("base", 0, List.of(
                new FilterRule(List.of(new Match.AddressIn(false, "pods", false)), Verdict.jump("other"), false, "to other")));
        table.edit(new FilterEdit(List.of("allow"), List.of("svc", "cidrs"), List.of(FilterSet.addresses("more", Set.of(ip("10.1.1.1")))),
                List.of(other), List.of(base), List.of(new ElementChange("pods", ip("10.244.2.12"), true),
                        new ElementChange("pods", ip("10.244.2.10"), false))));
        Nft nft = Nft.ruleset(node.name());
        assertThat(nft.set("svc")).isNull();
        assertThat(nft.set("cidrs")).isNull();
        assertThat(table.chains()).containsExactlyInAnyOrder("keep", "other", "base");
        assertThat(nft.elements("more")).containsExactly("10.1.1.1");
        assertThat(nft.elements("pods")).containsExactlyInAnyOrder("10.244.2.11", "10.244.2.12");
        assertThat(nft.chainText(T, "base")).contains("ip daddr @pods jump other comment \"to other\"").doesNotContain("allow");
        assertThat(handle("keep")).as("a chain the edit did not name stays the same object").isEqualTo(keepHandle);
        assertThat(table.comment()).contains("v1");
    }

    @Test
    void aRefusedEditChangesNothing() {
        table.replace(ruleset(), "v1");
        String before = Nft.run(node.name(), "list", "table", "inet", T);
        // "allow" is still jumped to from base (not rewritten): the kernel refuses, the whole batch goes.
        assertThatThrownBy(() -> table.edit(new FilterEdit(List.of("allow"), List.of(), List.of(FilterSet.addresses("x", Set.of())),
                List.of(), List.of(), List.of(new ElementChange("pods", ip("10.244.2.99"), true)))))
                .isInstanceOf(NetlinkException.class).hasMessageContaining("nft delete chain inet " + T + " allow");
        assertThat(Nft.run(node.name(), "list", "table", "inet", T)).isEqualTo(before);
        assertThatThrownBy(() -> table.change(List.of(new ElementChange("nosuch", ip("10.244.2.1"), true))))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.is(Errno.ENOENT)).isTrue());
    }

    @Test
    void elementChangesAndDestroy() {
        table.replace(ruleset(), null);
        assertThat(table.comment()).contains("");
        table.change(List.of(new ElementChange("pods", ip("10.244.2.11"), false), new ElementChange("pods", ip("10.244.2.11"), false),
                new ElementChange("pods", ip("10.244.2.30"), true), new ElementChange("pods", ip("10.244.2.10"), true)));
        assertThat(Nft.ruleset(node.name()).elements("pods")).containsExactlyInAnyOrder("10.244.2.10", "10.244.2.30");
        table.change(List.of());
        table.destroy();
        table.destroy();
        assertThat(Nft.ruleset(node.name()).all("table")).isEmpty();
        assertThat(table.comment()).isEmpty();
        assertThat(table.chains()).isEmpty();
        assertThat(table.keys("pods")).isEmpty();
    }

    private Object handle(String chain) {
        return Nft.ruleset(node.name()).all("chain").stream().filter(c -> chain.equals(c.get("name")))
                .map((Map<String, Object> c) -> c.get("handle")).findFirst().orElseThrow();
    }
}
