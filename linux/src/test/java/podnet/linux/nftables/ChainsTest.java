package podnet.linux.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/** Chains read over netlink match what nft(8) created: families, hooks, priorities, policies. */
class ChainsTest {
    @Test
    void baseAndRegularChainsOfEveryFamily() {
        Root.assumeProgram("nft");
        try (TestNetns ns = new TestNetns("observe")) {
            Netns n = ns.add("chains");
            assertThat(Chains.list(n)).isEmpty();
            Nft.run(n.name(), "add table ip filter; add chain ip filter FORWARD { type filter hook forward priority 0; policy drop; };"
                    + " add chain ip filter helper;"
                    + " add table bridge b; add chain bridge b pre { type filter hook prerouting priority -300; policy accept; };"
                    + " add table inet nat; add chain inet nat post { type nat hook postrouting priority 100; }");
            List<NftChain> chains = Chains.list(n);
            assertThat(chains).contains(
                    new NftChain("ip", "filter", "FORWARD", "filter", "forward", 0, "drop"),
                    new NftChain("ip", "filter", "helper", null, null, null, null),
                    new NftChain("bridge", "b", "pre", "filter", "prerouting", -300, "accept"),
                    new NftChain("inet", "nat", "post", "nat", "postrouting", 100, "accept"));
            assertThat(chains.stream().filter(NftChain::dropsByDefault)).hasSize(1);
        }
    }
}
