package podnet.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import podnet.linux.ns.Netns;
import podnet.linux.sysctl.Sysctl;
import podnet.linux.testing.TestNetns;

/** A link's devconf as RTM_NEWLINK reports it, against what /proc/sys says in a throwaway netns. */
class InetConfTest {
    TestNetns namespaces;
    Netns ns;
    NetlinkHandle h;

    @BeforeEach
    void setUp() {
        namespaces = new TestNetns("inetconf");
        ns = namespaces.add("a");
        h = NetlinkHandle.open(ns);
        h.links().addVeth("veth0", "veth1", ns, 0);
    }

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
        namespaces.close();
    }

    private InetConf conf() {
        return h.links().require("veth0").inet();
    }

    @Test
    void theIndexesAreTheSysctlsOnes() {
        for (String v : new String[] {"2", "0", "1"}) {
            Sysctl.set(ns, Sysctl.conf("ipv6", "veth0", "accept_ra"), v);
            assertThat(conf().ipv6(InetConf.IPV6_ACCEPT_RA)).as("accept_ra " + v).hasValue(Integer.parseInt(v));
        }
        for (String v : new String[] {"2", "0"}) {
            Sysctl.set(ns, Sysctl.conf("ipv6", "veth0", "accept_dad"), v);
            assertThat(conf().ipv6(InetConf.IPV6_ACCEPT_DAD)).as("accept_dad " + v).hasValue(Integer.parseInt(v));
        }
        assertThat(conf().ipv6(InetConf.IPV6_DISABLE_IPV6)).hasValue(Integer.parseInt(
                Sysctl.get(ns, Sysctl.conf("ipv6", "veth0", "disable_ipv6"))));
        for (String v : new String[] {"1", "0"}) {
            Sysctl.set(ns, Sysctl.conf("ipv4", "veth0", "arp_notify"), v);
            assertThat(conf().ipv4(InetConf.IPV4_ARP_NOTIFY)).as("arp_notify " + v).hasValue(Integer.parseInt(v));
        }
        Sysctl.set(ns, Sysctl.conf("ipv4", "veth0", "forwarding"), "1");
        assertThat(conf().ipv4(InetConf.IPV4_FORWARDING)).hasValue(1);
        assertThat(h.links().require("veth1").inet().ipv4(InetConf.IPV4_FORWARDING)).as("the peer's own").hasValue(0);
    }

    @Test
    void outOfRangeIdsAreEmptyAndEqualityIsByValue() {
        assertThat(conf().ipv4(0)).isEqualTo(OptionalInt.empty());
        assertThat(conf().ipv4(10_000)).isEmpty();
        assertThat(conf().ipv6(-1)).isEmpty();
        assertThat(conf()).isEqualTo(conf()).hasSameHashCodeAs(conf());
        assertThat(InetConf.NONE.ipv6(InetConf.IPV6_ACCEPT_RA)).isEmpty();
    }
}
