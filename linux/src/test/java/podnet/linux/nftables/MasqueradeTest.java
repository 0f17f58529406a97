package podnet.linux.nftables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import podnet.linux.inet.Cidr;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/** Masquerade against the kernel, in a throwaway namespace, with nft(8) as the oracle. */
class MasqueradeTest {
    TestNetns namespaces;
    Netns node;
    Masquerade masq;

    @BeforeEach
    void setUp() {
        namespaces = new TestNetns("nft");
        Root.assumeProgram("nft");
        node = namespaces.add("node");
        masq = Masquerade.open(node);
    }

    @AfterEach
    void tearDown() {
        try {
            if (masq != null) {
                masq.close();
            }
        } finally {
            namespaces.close();
        }
    }

    static InetAddress ip(String s) {
        return Cidr.parseAddress(s);
    }

    @Test
    void ensureNetworkCreatesTableChainSetAndRule() {
        masq.ensureNetwork("mynet", Cidr.parse("10.244.2.0/24"));

        Nft nft = Nft.ruleset(node.name());
        assertThat(nft.all("table")).singleElement()
                .satisfies(t -> assertThat(t).containsEntry("family", "inet").containsEntry("name", "podnet"));
        assertThat(nft.all("chain")).singleElement().satisfies(c -> assertThat(c)
                .containsEntry("name", "postrouting").containsEntry("type", "nat")
                .containsEntry("hook", "postrouting").containsEntry("prio", 100)
                .containsEntry("policy", "accept"));
        assertThat(nft.set("pn4-mynet")).containsEntry("type", "ipv4_addr");
        assertThat(nft.ruleComments()).containsExactly("podnet pn4-mynet 10.244.2.0/24");
        assertThat(nft.chainText("podnet", "postrouting")).contains(
                "ip saddr @pn4-mynet ip saddr 10.244.2.0/24 ip daddr != 10.244.2.0/24 "
                        + "ip daddr != 224.0.0.0/4 masquerade comment \"podnet pn4-mynet 10.244.2.0/24\"");
    }

    @Test
    void ensureNetworkIsIdempotent() {
        masq.ensureNetwork("mynet", Cidr.parse("10.244.2.0/24"));
        masq.add("mynet", ip("10.244.2.5"));
        masq.ensureNetwork("mynet", Cidr.parse("10.244.2.0/24"));
        masq.ensureNetwork("mynet", Cidr.parse("10.244.2.77/24")); // an interface address names the same subnet

        Nft nft = Nft.ruleset(node.name());
        assertThat(nft.all("rule")).hasSize(1);
        assertThat(nft.all("set")).hasSize(1);
        assertThat(nft.elements("pn4-mynet")).containsExactly("10.244.2.5");
    }

    @Test
    void addAndRemoveElements() {
        masq.ensureNetwork("mynet", Cidr.parse("10.244.2.0/24"));
        masq.add("mynet", ip("10.244.2.5"));
        masq.add("mynet", ip("10.244.2.6"));
        masq.add("mynet", ip("10.244.2.6")); // already there: fine
        assertThat(Nft.ruleset(node.name()).elements("pn4-mynet")).containsExactlyInAnyOrder("10.244.2.5", "10.244.2.6");
        assertThat(masq.members("mynet")).containsExactlyInAnyOrder(ip("10.244.2.5"), ip("10.244.2.6"));

        masq.remove("mynet", ip("10.244.2.5"));
        masq.remove("mynet", ip("10.244.2.5")); // already gone: fine
        assertThat(Nft.ruleset(node.name()).elements("pn4-mynet")).containsExactly("10.244.2.6");
        assertThat(masq.members("mynet")).containsExactly(ip("10.244.2.6"));
    }

    @Test
    void dualStack() {
        masq.ensureNetwork("dual", Cidr.parse("10.244.3.0/24"));
        masq.ensureNetwork("dual", Cidr.parse("fd00:10:244:3::/64"));
        masq.add("dual", ip("10.244.3.9"));
        masq.add("dual", ip("fd00:10:244:3::9"));

        Nft nft = Nft.ruleset(node.name());
        assertThat(nft.set("pn6-dual")).containsEntry("type", "ipv6_addr");
        assertThat(nft.elements("pn4-dual")).containsExactly("10.244.3.9");
        assertThat(nft.elements("pn6-dual")).containsExactly("fd00:10:244:3::9");
        assertThat(nft.chainText("podnet", "postrouting")).contains(
                "ip6 saddr @pn6-dual ip6 saddr fd00:10:244:3::/64 ip6 daddr != fd00:10:244:3::/64 "
                        + "ip6 daddr != ff00::/8 masquerade comment \"podnet pn6-dual fd00:10:244:3::/64\"");
        assertThat(masq.members("dual")).containsExactly(ip("10.244.3.9"), ip("fd00:10:244:3::9"));
    }

    @Test
    void nonByteAlignedSubnet() {
        masq.ensureNetwork("wide", Cidr.parse("10.244.0.0/20"));
        masq.ensureNetwork("wide", Cidr.parse("fd00:10:244::/60"));
        assertThat(Nft.ruleset(node.name()).chainText("podnet", "postrouting"))
                .contains("ip saddr @pn4-wide ip saddr 10.244.0.0/20 ip daddr != 10.244.0.0/20 ip daddr != 224.0.0.0/4 masquerade")
                .contains("ip6 saddr @pn6-wide ip6 saddr fd00:10:244::/60 ip6 daddr != fd00:10:244::/60 ip6 daddr != ff00::/8 masquerade");
    }

    @Test
    void twoNetworksCoexistAndAreRemovedSeparately() {
        masq.ensureNetwork("neta", Cidr.parse("10.244.4.0/24"));
        masq.ensureNetwork("netb", Cidr.parse("10.244.5.0/24"));
        masq.ensureNetwork("netb", Cidr.parse("fd00:5::/64"));
        masq.add("neta", ip("10.244.4.2"));
        masq.add("netb", ip("10.244.5.2"));
        masq.add("netb", ip("fd00:5::2"));
        assertThat(masq.members("neta")).containsExactly(ip("10.244.4.2"));
        assertThat(masq.members("netb")).containsExactly(ip("10.244.5.2"), ip("fd00:5::2"));

        masq.removeNetwork("netb");
        Nft nft = Nft.ruleset(node.name());
        assertThat(nft.ruleComments()).containsExactly("podnet pn4-neta 10.244.4.0/24");
        assertThat(nft.all("set")).extracting(s -> s.get("name")).containsExactly("pn4-neta");
        assertThat(nft.elements("pn4-neta")).containsExactly("10.244.4.2");
        assertThat(masq.members("netb")).isEmpty();

        masq.removeNetwork("netb"); // already gone: fine
        masq.removeNetwork("neta");
        nft = Nft.ruleset(node.name());
        assertThat(nft.all("rule")).isEmpty();
        assertThat(nft.all("set")).isEmpty();
        assertThat(nft.all("chain")).hasSize(1); // the table and chain stay for the next network
    }

    @Test
    void nothingSetUpYet() {
        assertThat(masq.members("none")).isEmpty();
        masq.remove("none", ip("10.244.9.9"));
        masq.removeNetwork("none");
        assertThatThrownBy(() -> masq.add("none", ip("10.244.9.9")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pn4-none").hasMessageContaining("ensureNetwork");
        assertThat(Nft.ruleset(node.name()).all("table")).isEmpty();
    }

    @Test
    void addOfTheOtherFamilyNeedsItsOwnSubnet() {
        masq.ensureNetwork("v4only", Cidr.parse("10.244.6.0/24"));
        assertThatThrownBy(() -> masq.add("v4only", ip("fd00::6")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("pn6-v4only");
    }

    @Test
    void rejectsSubnetWithoutNetworkPart() {
        assertThatThrownBy(() -> masq.ensureNetwork("all", Cidr.parse("0.0.0.0/0")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Nft.ruleset(node.name()).all("table")).isEmpty();
    }

    @Test
    void concurrentEnsureAddsTheRuleOnce() throws Exception {
        // Many processes' first ADD at once: all see no rule, one batch wins, the others are
        // refused for a stale generation (ERESTART), look again and find the rule.
        int n = 8;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(n);
        List<Thread> threads = new java.util.ArrayList<>();
        java.util.concurrent.ConcurrentLinkedQueue<Throwable> errors = new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (int i = 0; i < n; i++) {
            int k = i;
            threads.add(Thread.ofPlatform().start(() -> {
                try (Masquerade m = Masquerade.open(node)) {
                    start.await();
                    m.ensureNetwork("race", Cidr.parse("10.244.7.0/24"));
                    m.add("race", ip("10.244.7." + (10 + k)));
                } catch (Throwable t) {
                    errors.add(t);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(errors).isEmpty();
        Nft nft = Nft.ruleset(node.name());
        assertThat(nft.all("rule")).hasSize(1);
        assertThat(nft.all("set")).hasSize(1);
        assertThat(nft.elements("pn4-race")).hasSize(n);
    }

    @Test
    void manyMembersSpanSeveralDumpMessages() {
        masq.ensureNetwork("big", Cidr.parse("10.245.0.0/16"));
        java.util.Set<InetAddress> want = new java.util.HashSet<>();
        for (int i = 0; i < 600; i++) {
            InetAddress a = Cidr.add(ip("10.245.0.10"), i);
            masq.add("big", a);
            want.add(a);
        }
        assertThat(masq.members("big")).hasSize(600).containsExactlyInAnyOrderElementsOf(want);
        assertThat(Nft.ruleset(node.name()).elements("pn4-big")).hasSize(600);
    }

    @Test
    void aRuleDeletedByHandIsPutBackAndTheMembersKept() {
        masq.ensureNetwork("mynet", Cidr.parse("10.244.2.0/24"));
        masq.add("mynet", ip("10.244.2.5"));
        Nft.run(node.name(), "flush", "chain", "inet", "podnet", "postrouting");
        assertThat(Nft.ruleset(node.name()).all("rule")).isEmpty();

        masq.ensureNetwork("mynet", Cidr.parse("10.244.2.0/24"));
        Nft nft = Nft.ruleset(node.name());
        assertThat(nft.ruleComments()).containsExactly("podnet pn4-mynet 10.244.2.0/24");
        assertThat(nft.elements("pn4-mynet")).containsExactly("10.244.2.5");
    }

    @Test
    void aForeignChainOfTheSameNameIsAClearError() {
        Nft.run(node.name(), "add", "table", "inet", "podnet");
        Nft.run(node.name(), "add", "chain", "inet", "podnet", "postrouting",
                "{ type filter hook postrouting priority 0; }");
        assertThatThrownBy(() -> masq.ensureNetwork("mynet", Cidr.parse("10.244.2.0/24")))
                .isInstanceOf(podnet.linux.netlink.NetlinkException.class)
                .hasMessageContaining("nft add chain inet podnet postrouting")
                .hasMessageContaining("mynet");
        Nft nft = Nft.ruleset(node.name());
        assertThat(nft.all("set")).as("the batch is all or nothing").isEmpty();
        assertThat(nft.all("rule")).isEmpty();
    }

    @Test
    void removeNetworkIfUnusedKeepsWhatAPodUses() {
        assertThat(masq.ensureNetwork("mynet", Cidr.parse("10.244.2.0/24"))).isTrue();
        assertThat(masq.ensureNetwork("mynet", Cidr.parse("10.244.2.0/24"))).isFalse();
        masq.add("mynet", ip("10.244.2.5"));
        assertThat(masq.removeNetworkIfUnused("mynet")).as("an element is in it").isFalse();
        assertThat(Nft.ruleset(node.name()).elements("pn4-mynet")).containsExactly("10.244.2.5");
        assertThat(Nft.ruleset(node.name()).all("rule")).hasSize(1);

        masq.ensureNetwork("other", Cidr.parse("10.245.0.0/16"));
        masq.remove("mynet", ip("10.244.2.5"));
        assertThat(masq.removeNetworkIfUnused("mynet")).isTrue();
        Nft nft = Nft.ruleset(node.name());
        assertThat(nft.set("pn4-mynet")).isNull();
        assertThat(nft.ruleComments()).containsExactly("podnet pn4-other 10.245.0.0/16");
        assertThat(nft.all("table")).as("the other network keeps the table").hasSize(1);

        assertThat(masq.removeNetworkIfUnused("other")).isTrue();
        assertThat(Nft.ruleset(node.name()).all("table")).isEmpty();
    }
}
