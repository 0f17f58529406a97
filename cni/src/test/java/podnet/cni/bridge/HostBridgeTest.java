package podnet.cni.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import podnet.linux.netlink.InetConf;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;
import podnet.linux.sysctl.Sysctl;
import podnet.linux.testing.TestNetns;

/** accept_ra off on a node link, decided from the link's own devconf, in a throwaway node netns. */
class HostBridgeTest {
    TestNetns ns;
    Netns node;
    NetlinkHandle h;

    @BeforeEach
    void setUp() {
        ns = new TestNetns("hostbr");
        node = ns.add("node");
        h = NetlinkHandle.open(node);
        h.links().addVeth("vetha", "vethb", node, 0);
    }

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
        ns.close();
    }

    private String acceptRa(String dev) {
        return Sysctl.get(node, Sysctl.conf("ipv6", dev, "accept_ra"));
    }

    @Test
    void writesZeroWhereTheLinkSaysOtherwiseAndLeavesAZero() {
        Sysctl.set(node, Sysctl.conf("ipv6", "vetha", "accept_ra"), "2");
        Link l = h.links().require("vetha");
        assertThat(l.inet().ipv6(InetConf.IPV6_ACCEPT_RA)).hasValue(2);
        node.run(() -> HostBridge.acceptRaOff(l));
        assertThat(acceptRa("vetha")).isEqualTo("0");
        assertThat(acceptRa("vethb")).as("only that link").isEqualTo("1");

        Link zero = h.links().require("vetha");
        assertThat(zero.inet().ipv6(InetConf.IPV6_ACCEPT_RA)).hasValue(0);
        node.run(() -> HostBridge.acceptRaOff(zero));
        assertThat(acceptRa("vetha")).isEqualTo("0");
    }

    @Test
    void aLinkGoneMeanwhileIsBestEffort() {
        Link l = h.links().require("vetha");
        h.links().delete("vetha");
        node.run(() -> HostBridge.acceptRaOff(l)); // no exception: the reference ignores this too
        assertThat(h.links().get("vetha")).isEmpty();
    }
}
