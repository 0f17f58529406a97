package podnet.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Sockets;
import podnet.linux.testing.Ip;
import podnet.linux.testing.ThrowawayNamespaces;

/** IPv4 and IPv6 addresses in a throwaway namespace, checked against {@code ip -j addr}. */
class AddressesTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("addr");
    String ns;
    NetlinkHandle h;

    @BeforeEach
    void setUp() {
        Netns n = namespaces.add("a");
        ns = n.name();
        h = NetlinkHandle.open(n);
        h.links().addVeth("eth0", "peer0", n, 0);
    }

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    /** "local/prefixlen" of every address ip shows on {@code dev}. */
    @SuppressWarnings("unchecked")
    private List<String> ipAddrs(String dev) {
        Map<String, Object> l = Ip.json(ns, "addr", "show", "dev", dev).getFirst();
        return ((List<Map<String, Object>>) l.get("addr_info")).stream()
                .map(i -> i.get("local") + "/" + i.get("prefixlen")).toList();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> ipAddr(String dev, String local) {
        Map<String, Object> l = Ip.json(ns, "addr", "show", "dev", dev).getFirst();
        return ((List<Map<String, Object>>) l.get("addr_info")).stream()
                .filter(i -> local.equals(i.get("local"))).findFirst().orElseThrow();
    }

    @Test
    void ipv4AddListDelete() {
        h.addresses().add("eth0", Cidr.parse("10.244.2.7/24"));
        h.addresses().add("eth0", Cidr.parse("10.244.3.7/32"));
        assertThat(ipAddrs("eth0")).containsExactly("10.244.2.7/24", "10.244.3.7/32");
        assertThat(ipAddr("eth0", "10.244.2.7")).containsEntry("broadcast", "10.244.2.255").containsEntry("scope", "global");
        List<Address> ours = h.addresses().list("eth0", Sockets.AF_INET);
        assertThat(ours).extracting(a -> a.cidr().toString()).containsExactly("10.244.2.7/24", "10.244.3.7/32");
        assertThat(ours).allSatisfy(a -> {
            assertThat(a.label()).isEqualTo("eth0");
            assertThat(a.index()).isEqualTo(h.links().require("eth0").index());
        });

        h.addresses().delete("eth0", Cidr.parse("10.244.2.7/24"));
        assertThat(ipAddrs("eth0")).containsExactly("10.244.3.7/32");
        assertThat(h.addresses().list("eth0", Sockets.AF_INET)).hasSize(1);
    }

    @Test
    void ipv6AddListDelete() {
        h.addresses().add("eth0", Cidr.parse("fd00:10::7/64"), Address.IFA_F_NODAD);
        assertThat(ipAddrs("eth0")).contains("fd00:10::7/64");
        assertThat(ipAddr("eth0", "fd00:10::7")).containsEntry("nodad", true);
        Address ours = h.addresses().list("eth0", Sockets.AF_INET6).stream()
                .filter(a -> a.cidr().equals(Cidr.parse("fd00:10::7/64"))).findFirst().orElseThrow();
        assertThat(ours.isIpv4()).isFalse();
        assertThat(ours.flags() & Address.IFA_F_NODAD).isNotZero();
        assertThat(ours.isTentative()).isFalse();

        h.addresses().delete("eth0", Cidr.parse("fd00:10::7/64"));
        assertThat(ipAddrs("eth0")).doesNotContain("fd00:10::7/64");
    }

    @Test
    void familiesFilterTheList() {
        h.addresses().add("eth0", Cidr.parse("10.1.0.1/16"));
        h.addresses().add("eth0", Cidr.parse("fd00:1::1/64"), Address.IFA_F_NODAD);
        assertThat(h.addresses().list(Sockets.AF_INET)).allMatch(Address::isIpv4)
                .extracting(a -> a.cidr().toString()).contains("10.1.0.1/16").doesNotContain("fd00:1::1/64");
        assertThat(h.addresses().list(Sockets.AF_INET6)).noneMatch(Address::isIpv4);
        assertThat(h.addresses().list(Addresses.FAMILY_ALL)).extracting(a -> a.cidr().toString())
                .contains("10.1.0.1/16", "fd00:1::1/64");
    }

    @Test
    void addingTwiceIsEexistWithTheKernelsReasonAndWhere() {
        h.addresses().add("eth0", Cidr.parse("10.244.2.7/24"));
        assertThatThrownBy(() -> h.addresses().add("eth0", Cidr.parse("10.244.2.7/24")))
                .isInstanceOf(NetlinkException.class)
                .hasMessage("add address 10.244.2.7/24 dev eth0 in netns " + ns
                        + ": EEXIST (File exists): ipv4: Address already assigned");
        h.addresses().add("eth0", Cidr.parse("fd00::7/64"), Address.IFA_F_NODAD);
        assertThatThrownBy(() -> h.addresses().add("eth0", Cidr.parse("fd00::7/64"), Address.IFA_F_NODAD))
                .isInstanceOf(NetlinkException.class)
                .satisfies(e -> assertThat(((NetlinkException) e).errnoName()).isEqualTo("EEXIST"))
                .hasMessageContaining("fd00::7/64 dev eth0 in netns " + ns);
    }

    @Test
    void replaceAddsOrUpdates() {
        h.addresses().replace("eth0", Cidr.parse("10.5.0.1/24"));
        h.addresses().replace("eth0", Cidr.parse("10.5.0.1/24"));
        assertThat(ipAddrs("eth0")).containsExactly("10.5.0.1/24");
        h.addresses().replace("eth0", Cidr.parse("fd00:5::1/64"));
        h.addresses().replace("eth0", Cidr.parse("fd00:5::1/64"));
        assertThat(ipAddrs("eth0")).containsOnlyOnce("fd00:5::1/64");
    }

    @Test
    void failuresSayWhatAndWhere() {
        assertThatThrownBy(() -> h.addresses().delete("eth0", Cidr.parse("10.9.9.9/24")))
                .isInstanceOf(NetlinkException.class)
                .hasMessageStartingWith("delete address 10.9.9.9/24 dev eth0 in netns " + ns)
                .hasMessageContaining("EADDRNOTAVAIL");
        assertThatThrownBy(() -> h.addresses().add("nosuch0", Cidr.parse("10.9.9.9/24")))
                .isInstanceOf(NetlinkException.class).hasMessageContaining("nosuch0").hasMessageContaining(ns);
        assertThat(ipAddrs("eth0")).isEmpty();
    }
}
