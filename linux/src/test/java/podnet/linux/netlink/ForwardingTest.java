package podnet.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Sockets;
import podnet.linux.sysctl.Sysctl;
import podnet.linux.testing.TestNetns;

/** RTM_GETNETCONF's "all" forwarding against the sysctls, in a throwaway netns. */
class ForwardingTest {
    TestNetns namespaces;
    Netns ns;
    NetlinkHandle h;

    @BeforeEach
    void setUp() {
        namespaces = new TestNetns("forwarding");
        ns = namespaces.add("a");
        h = NetlinkHandle.open(ns);
    }

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
        namespaces.close();
    }

    @Test
    void followsIpForwardAndIpv6AllForwarding() {
        for (String v : new String[] {"1", "0"}) {
            Sysctl.set(ns, "net/ipv4/ip_forward", v);
            assertThat(h.forwarding().get(Sockets.AF_INET)).as("ip_forward " + v).hasValue(Integer.parseInt(v));
            Sysctl.set(ns, "net/ipv6/conf/all/forwarding", v);
            assertThat(h.forwarding().get(Sockets.AF_INET6)).as("ipv6 all " + v).hasValue(Integer.parseInt(v));
        }
    }

    @Test
    void onlyTheTwoFamilies() {
        assertThatThrownBy(() -> h.forwarding().get(Sockets.AF_BRIDGE)).isInstanceOf(IllegalArgumentException.class);
    }
}
