package podnet.linux.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import podnet.linux.inet.MacAddress;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/** MacSpoofCheck against the kernel, in a throwaway namespace, with nft(8) as the oracle. */
class MacSpoofCheckTest {
    static final MacAddress MAC_A = MacAddress.parse("0a:58:0a:f4:02:05"), MAC_B = MacAddress.parse("0a:58:0a:f4:02:06");
    static final MacSpoofCheck.Attachment A = new MacSpoofCheck.Attachment("ctr-a", "eth0"),
            B = new MacSpoofCheck.Attachment("ctr-b", "eth0");

    TestNetns namespaces;
    Netns node;
    MacSpoofCheck check;

    @BeforeEach
    void setUp() {
        namespaces = new TestNetns("spoof");
        Root.assumeProgram("nft");
        node = namespaces.add("node");
        check = MacSpoofCheck.open(node);
    }

    @AfterEach
    void tearDown() {
        try {
            if (check != null) {
                check.close();
            }
        } finally {
            namespaces.close();
        }
    }

    @Test
    void addCreatesTableChainAndOneRulePerAttachment() {
        check.add("veth1a2b3c4d", MAC_A, A);
        check.add("veth5e6f7a8b", MAC_B, B);

        Nft nft = Nft.ruleset(node.name());
        assertThat(nft.all("table")).singleElement()
                .satisfies(t -> assertThat(t).containsEntry("family", "bridge").containsEntry("name", "podnet"));
        assertThat(nft.all("chain")).singleElement().satisfies(c -> assertThat(c)
                .containsEntry("name", "prerouting").containsEntry("type", "filter")
                .containsEntry("hook", "prerouting").containsEntry("prio", -300)
                .containsEntry("policy", "accept"));
        assertThat(nft.ruleComments()).containsExactly("podnet-spoofchk ctr-a eth0", "podnet-spoofchk ctr-b eth0");
        assertThat(nft.chainText("bridge", "podnet", "prerouting")).contains(
                "iifname \"veth1a2b3c4d\" ether saddr != 0a:58:0a:f4:02:05 drop comment \"podnet-spoofchk ctr-a eth0\"",
                "iifname \"veth5e6f7a8b\" ether saddr != 0a:58:0a:f4:02:06 drop comment \"podnet-spoofchk ctr-b eth0\"");
    }

    @Test
    void removeTakesOnlyTheAttachmentsRuleAndMissingIsFine() {
        check.remove(A); // no table yet
        check.add("veth1a2b3c4d", MAC_A, A);
        check.add("veth5e6f7a8b", MAC_B, B);
        check.remove(A);
        check.remove(A);
        assertThat(Nft.ruleset(node.name()).ruleComments()).containsExactly("podnet-spoofchk ctr-b eth0");
    }

    @Test
    void retainKeepsOnlyValidAttachmentsAndForeignRules() {
        check.add("veth1a2b3c4d", MAC_A, A);
        check.add("veth5e6f7a8b", MAC_B, B);
        Nft.run(node.name(), "add", "rule", "bridge", "podnet", "prerouting", "counter", "comment", "\"someone else\"");
        check.retain(List.of(B));
        assertThat(Nft.ruleset(node.name()).ruleComments()).containsExactly("podnet-spoofchk ctr-b eth0", "someone else");
        check.retain(List.of());
        assertThat(Nft.ruleset(node.name()).ruleComments()).containsExactly("someone else");
    }

    @Test
    void aContainerIdTooLongForACommentIsStillFoundAgain() {
        MacSpoofCheck.Attachment longId = new MacSpoofCheck.Attachment("c".repeat(300), "eth0");
        check.add("veth1a2b3c4d", MAC_A, longId);
        assertThat(Nft.ruleset(node.name()).ruleComments()).singleElement()
                .satisfies(c -> assertThat(c).startsWith("podnet-spoofchk ccc").hasSize(250));
        check.remove(longId);
        assertThat(Nft.ruleset(node.name()).all("rule")).isEmpty();
    }

    @Test
    void removeTableIfUnusedOnlyWhenNoRuleIsLeft() {
        assertThat(check.removeTableIfUnused()).as("nothing there").isFalse();
        check.add("veth1a2b3c4d", MAC_A, A);
        assertThat(check.removeTableIfUnused()).as("a rule is left").isFalse();
        assertThat(Nft.ruleset(node.name()).ruleComments()).containsExactly("podnet-spoofchk ctr-a eth0");
        check.remove(A);
        assertThat(check.removeTableIfUnused()).isTrue();
        assertThat(Nft.ruleset(node.name()).all("table")).isEmpty();
    }
}
