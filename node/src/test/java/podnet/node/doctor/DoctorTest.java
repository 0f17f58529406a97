package podnet.node.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.cni.install.NodeConflist;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.BridgePort;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.nftables.Masquerade;
import podnet.linux.sysctl.Sysctl;
import podnet.linux.testing.BridgeNode;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/** A healthy node of throwaway namespaces passes every check; each fault injected is found, alone. */
class DoctorTest {
    @TempDir
    Path state;
    private TestNetns ns;
    private BridgeNode node;
    private Path conflist;

    @BeforeEach
    void healthyNode() throws Exception {
        Root.assume();
        ns = new TestNetns("observe");
        node = BridgeNode.create(ns, 2);
        conflist = state.resolve("10-podnet.conflist");
        Files.writeString(conflist, NodeConflist.DEFAULT.withIpMasq(false).withDataDir(state.resolve("ipam")).conflist());
        Path leases = Files.createDirectories(state.resolve("ipam").resolve("podnet"));
        for (BridgeNode.Pod p : node.pods) {
            Files.writeString(leases.resolve(p.ip()), "podnet-x\r\neth0");
        }
        Files.writeString(leases.resolve("last_reserved_ip.0"), "10.244.2.3");
        Sysctl.set(node.node, "net.ipv4.ip_forward", "1");
        try (NetlinkHandle h = NetlinkHandle.open(node.node)) {
            for (BridgeNode.Pod p : node.pods) {
                h.links().setBridgePort(p.hostVeth(), BridgePort.Change.hairpin(true));
            }
        }
    }

    @AfterEach
    void tearDown() {
        if (ns != null) {
            ns.close();
        }
    }

    private Finding finding(String check) {
        List<Finding> all = Doctor.examine(node.node, conflist);
        return all.stream().filter(f -> f.check().equals(check)).findFirst().orElseThrow(() -> new AssertionError(all.toString()));
    }

    /** Exactly {@code check} is wrong; everything else is fine. */
    private Finding onlyWrong(String check) {
        List<Finding> all = Doctor.examine(node.node, conflist);
        assertThat(all.stream().filter(f -> !f.ok()).map(Finding::check)).as(all.toString()).containsExactly(check);
        Finding f = finding(check);
        assertThat(f.fix()).isNotBlank();
        return f;
    }

    @Test
    void aHealthyNodeHasNothingWrong() {
        List<Finding> all = Doctor.examine(node.node, conflist);
        assertThat(all).as(all.toString()).allMatch(Finding::ok);
        assertThat(all).extracting(Finding::check).containsExactly("bridge address", "leases", "mtu", "hairpin",
                "br_netfilter", "ip_forward", "rp_filter", "nft elements", "conntrack");
    }

    @Test
    void aStaleBridgeAddressOutsideTheSubnet() {
        try (NetlinkHandle h = NetlinkHandle.open(node.node)) {
            h.addresses().add("cni0", Cidr.parse("10.244.9.1/24"));
        }
        assertThat(onlyWrong("bridge address").fix()).isEqualTo("podnet -n NODE addr del 10.244.9.1/24 dev cni0");
    }

    @Test
    void aLeaseNoPodHolds() throws Exception {
        Files.writeString(state.resolve("ipam/podnet/10.244.2.50"), "gone\r\neth0");
        assertThat(onlyWrong("leases").detail()).contains("[10.244.2.50]");
    }

    @Test
    void aPodWhoseEth0MtuDiffersFromItsVeth() {
        try (NetlinkHandle h = NetlinkHandle.open(node.pods.get(0).netns())) {
            h.links().setMtu("eth0", 1400);
        }
        assertThat(onlyWrong("mtu").detail()).contains("pod side of " + node.pods.get(0).hostVeth() + " 1400 vs 1500");
    }

    @Test
    void hairpinOffOnAPort() {
        try (NetlinkHandle h = NetlinkHandle.open(node.node)) {
            h.links().setBridgePort(node.pods.get(1).hostVeth(), BridgePort.Change.hairpin(false));
        }
        assertThat(onlyWrong("hairpin").detail()).contains(node.pods.get(1).hostVeth());
    }

    @Test
    void brNetfilterWithAForwardChainThatDrops() {
        Root.assumeProgram("nft");
        Sysctl.set(node.node, "net/bridge/bridge-nf-call-iptables", "1");
        Ip.run("ip", "netns", "exec", node.node.name(), "nft",
                "add table ip filter; add chain ip filter FORWARD { type filter hook forward priority 0; policy drop; }").ok();
        assertThat(onlyWrong("br_netfilter").detail()).contains("ip filter FORWARD");
        assertThat(Ip.ping(node.pods.get(0).netns().name(), "10.244.2.3", 1)).as("the fault is real").isFalse();
    }

    @Test
    void forwardingOff() {
        Sysctl.set(node.node, "net.ipv4.ip_forward", "0");
        onlyWrong("ip_forward");
    }

    @Test
    void strictReversePathFilteringOnTheBridge() {
        Sysctl.set(node.node, Sysctl.conf("ipv4", "cni0", "rp_filter"), "1");
        assertThat(onlyWrong("rp_filter").detail()).contains("cni0=1");
    }

    @Test
    void aMasqueradeElementOfAPodThatIsGone() throws Exception {
        try (Masquerade m = Masquerade.open(node.node)) {
            m.ensureNetwork("podnet", Cidr.parse("10.244.2.0/24"));
            m.add("podnet", InetAddress.getByName("10.244.2.2")); // a live pod: fine
            m.add("podnet", InetAddress.getByName("10.244.2.77"));
        }
        assertThat(onlyWrong("nft elements").detail()).contains("[10.244.2.77]");
    }

    @Test
    void conntrackNearFull() {
        assertThat(Doctor.conntrack(95, 100).ok()).isFalse();
        assertThat(Doctor.conntrack(10, 100).ok()).isTrue();
        assertThat(Doctor.conntrack(0, 0).ok()).isTrue();
    }
}
