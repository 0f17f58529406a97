package podnet.linux.sysctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Ip;
import podnet.linux.testing.ThrowawayNamespaces;

/** sysctls inside a throwaway netns: changed there, never in the root namespace. */
class SysctlTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("sysctl");
    Netns ns;

    @BeforeEach
    void setUp() {
        ns = namespaces.add("a");
        try (NetlinkHandle h = NetlinkHandle.open(ns)) {
            h.links().addVeth("eth0", "peer0", ns, 0);
        }
    }

    /** The value as sysctl(8) reads it inside the netns: the independent oracle. */
    private String oracle(String key) {
        return Ip.run("ip", "netns", "exec", ns.name(), "cat", Sysctl.path(key).toString()).ok().out().strip();
    }

    private static String root(String key) throws Exception {
        return Files.readString(Sysctl.path(key)).strip();
    }

    @Test
    void ipForwardIsPerNetns() throws Exception {
        String rootBefore = root("net.ipv4.ip_forward");
        String target = "1".equals(rootBefore) ? "0" : "1";
        Sysctl.set(ns, "net.ipv4.ip_forward", target);
        assertThat(Sysctl.get(ns, "net.ipv4.ip_forward")).isEqualTo(target);
        assertThat(oracle("net.ipv4.ip_forward")).isEqualTo(target);
        assertThat(root("net.ipv4.ip_forward")).as("the root namespace is untouched").isEqualTo(rootBefore);
        assertThat(Sysctl.get(Netns.CURRENT, "net.ipv4.ip_forward")).isEqualTo(rootBefore);
    }

    @Test
    void multiDigitIntegersAreReadWhole() {
        // proc_dointvec answers a read past offset 0 with EOF: a reader that starts with one byte gets "3"
        Sysctl.set(ns, "net.ipv4.ip_local_port_range", "32768 60999");
        assertThat(Sysctl.get(ns, "net.ipv4.ip_local_port_range")).isEqualTo("32768\t60999");
        assertThat(Sysctl.get(ns, "net.ipv4.ip_local_port_range")).isEqualTo(oracle("net.ipv4.ip_local_port_range"));
        Sysctl.set(ns, "net.ipv4.ip_default_ttl", "123");
        assertThat(Sysctl.get(ns, "net.ipv4.ip_default_ttl")).isEqualTo("123");
    }

    @Test
    void perInterfaceKeys() {
        String arpNotify = Sysctl.conf("ipv4", "eth0", "arp_notify");
        String acceptDad = Sysctl.conf("ipv6", "eth0", "accept_dad");
        assertThat(Sysctl.get(ns, arpNotify)).isEqualTo("0");
        Sysctl.set(ns, arpNotify, "1");
        Sysctl.set(ns, acceptDad, "0");
        assertThat(Sysctl.get(ns, arpNotify)).isEqualTo("1");
        assertThat(oracle(arpNotify)).isEqualTo("1");
        assertThat(oracle(acceptDad)).isEqualTo("0");
    }

    @Test
    void aValueKnownFromNetlinkIsNeitherReadNorRewritten() {
        String ttl = "net.ipv4.ip_default_ttl";
        Sysctl.set(ns, ttl, "70");
        // "known" 64 (stale on purpose): taken as it is, so nothing is written
        Sysctl.ensure(ns, ttl, "64", OptionalInt.of(64));
        assertThat(Sysctl.get(ns, ttl)).isEqualTo("70");
        Sysctl.ensure(ns, ttl, "64", OptionalInt.of(70));
        assertThat(Sysctl.get(ns, ttl)).isEqualTo("64");
        Sysctl.set(ns, ttl, "71");
        Sysctl.ensure(ns, ttl, "64", OptionalInt.empty()); // unknown: read, then written
        assertThat(Sysctl.get(ns, ttl)).isEqualTo("64");
    }

    @Test
    void dottedKeysAndInterfaceNamesWithDots() {
        try (NetlinkHandle h = NetlinkHandle.open(ns)) {
            h.links().addIfb("eth0.100");
        }
        String key = Sysctl.conf("ipv4", "eth0.100", "arp_notify");
        assertThat(key).isEqualTo("net/ipv4/conf/eth0.100/arp_notify");
        Sysctl.set(ns, key, "1");
        assertThat(oracle(key)).isEqualTo("1");
        assertThat(Sysctl.path("net.ipv4.conf.all.forwarding")).isEqualTo(Path.of("/proc/sys/net/ipv4/conf/all/forwarding"));
    }

    @Test
    void ensureWritesOnlyWhenTheValueDiffers() {
        String key = Sysctl.conf("ipv4", "eth0", "arp_notify");
        Sysctl.ensure(ns, key, "1");
        assertThat(oracle(key)).isEqualTo("1");
        Sysctl.ensure(ns, key, "1");
        assertThat(Sysctl.get(ns, key)).isEqualTo("1");
        Sysctl.ensure(ns, key, "0");
        assertThat(oracle(key)).isEqualTo("0");
    }

    @Test
    void errorsSayWhichKeyAndWhichNetns() {
        assertThatThrownBy(() -> Sysctl.get(ns, "net.ipv4.conf.nosuch0.arp_notify"))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("nosuch0").hasMessageContaining(ns.name());
        assertThatThrownBy(() -> Sysctl.set(ns, "net.ipv4.ip_forward", "banana"))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("ip_forward=banana")
                .hasMessageContaining(ns.name());
        assertThat(Sysctl.get(ns, "net.ipv4.ip_forward")).isIn("0", "1");
        assertThatThrownBy(() -> Sysctl.path("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sysctl.get(Netns.named(namespaces.name("missing")), "net.ipv4.ip_forward"))
                .hasMessageContaining(namespaces.name("missing"));
    }
    @Test
    void theProcessNamespacesDirectoryServesOnlyThreadsInIt() throws Exception {
        assertThat(SysctlDir.ofProcessNetns("ipv4")).as("this thread is in the process's netns").isPresent();
        assertThat(SysctlDir.ofProcessNetns("ipv6").orElseThrow().family()).isEqualTo("ipv6");
        assertThat(Sysctl.get(Netns.CURRENT, "net.ipv4.ip_forward")).isEqualTo(root("net.ipv4.ip_forward"));
        assertThat(Sysctl.get(Netns.CURRENT, Sysctl.conf("ipv6", "lo", "accept_ra")))
                .isEqualTo(root(Sysctl.conf("ipv6", "lo", "accept_ra")));
        assertThat(ns.call(() -> SysctlDir.ofProcessNetns("ipv4"))).as("a thread in another netns").isEmpty();
        // a key the other netns has and the process's has not: read by its path there
        Sysctl.set(ns, Sysctl.conf("ipv4", "peer0", "arp_notify"), "1");
        assertThat(ns.call(() -> Sysctl.get(Netns.CURRENT, Sysctl.conf("ipv4", "peer0", "arp_notify")))).isEqualTo("1");
        assertThatThrownBy(() -> Sysctl.get(Netns.CURRENT, Sysctl.conf("ipv4", "peer0", "arp_notify")))
                .as("not in the process's netns").isInstanceOf(UncheckedIOException.class).hasMessageContaining("peer0");
    }

    @Test
    void aDirectoryOpenedInANamespaceOpensItsKeys() {
        String v = ns.call(() -> {
            try (SysctlDir d = SysctlDir.open("ipv4");
                    var fd = d.openKey("conf/peer0/arp_notify", podnet.linux.sys.FileDescriptor.O_WRONLY)) {
                fd.write("1".getBytes());
            }
            return "done";
        });
        assertThat(v).isEqualTo("done");
        assertThat(oracle(Sysctl.conf("ipv4", "peer0", "arp_notify"))).isEqualTo("1");
    }
}
