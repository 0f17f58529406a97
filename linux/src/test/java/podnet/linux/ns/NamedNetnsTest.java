package podnet.linux.ns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.sys.SysException;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.ThrowawayNamespaces;

/** Named network namespaces, interoperating with {@code ip netns} both ways. */
class NamedNetnsTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("named");

    static List<String> ipNetnsList() {
        return Ip.json(null, "netns", "list").stream().map(m -> (String) m.get("name")).toList();
    }

    static long inode(Path p) throws Exception {
        return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
    }

    @Test
    void ipSeesOurs() throws Exception {
        Netns ns = namespaces.add("ours");
        assertThat(ipNetnsList()).contains(ns.name());
        assertThat(NamedNetns.list()).contains(ns.name());
        assertThat(NamedNetns.exists(ns.name())).isTrue();
        // A new, empty netns: only lo, down.
        assertThat(Ip.json(ns.name(), "link", "show")).singleElement()
                .satisfies(l -> assertThat(l.get("ifname")).isEqualTo("lo"));
        assertThat(inode(ns.path())).isNotEqualTo(inode(Path.of("/proc/self/ns/net")));
    }

    @Test
    void weSeeOneIpMade() {
        String name = namespaces.name("theirs");
        namespaces.track(name);
        Ip.run("ip", "netns", "add", name).ok();
        Ip.run("ip", "-n", name, "link", "add", "spare0", "type", "ifb").ok();
        assertThat(NamedNetns.list()).contains(name);
        try (NetlinkHandle h = NetlinkHandle.open(Netns.named(name))) {
            assertThat(h.links().list()).extracting(Link::name).containsExactly("lo", "spare0");
        }
    }

    @Test
    void deleteAndDeleteAgain() {
        Netns ns = namespaces.add("gone");
        NamedNetns.delete(ns.name());
        assertThat(ipNetnsList()).doesNotContain(ns.name());
        assertThat(Files.exists(ns.path())).isFalse();
        assertThatThrownBy(() -> NamedNetns.delete(ns.name())).isInstanceOf(SysException.class)
                .hasMessageContaining(ns.name()).hasMessageContaining("ENOENT");
        assertThat(NamedNetns.deleteIfExists(ns.name())).isFalse();
        String byIp = namespaces.name("byip");
        namespaces.track(byIp);
        Ip.run("ip", "netns", "add", byIp).ok();
        NamedNetns.delete(byIp);
        assertThat(ipNetnsList()).doesNotContain(byIp);
    }

    @Test
    void aDuplicateIsEexistAndTheFirstSurvives() {
        Netns ns = namespaces.add("dup");
        try (NetlinkHandle h = NetlinkHandle.open(ns)) {
            h.links().addIfb("mark0");
        }
        assertThatThrownBy(() -> NamedNetns.add(ns.name())).isInstanceOf(SysException.class)
                .hasMessageContaining(ns.name()).hasMessageContaining("EEXIST");
        try (NetlinkHandle h = NetlinkHandle.open(ns)) {
            assertThat(h.links().get("mark0")).as("the original netns is untouched").isPresent();
        }
        assertThat(Ip.run("ip", "netns", "add", ns.name()).exit()).as("ip agrees").isNotZero();
    }

    @Test
    void invalidNamesAreRejectedAndNothingIsCreated() {
        List<String> before = NamedNetns.list();
        for (String bad : new String[] {"", ".", "..", "a/b", "/abs", "x".repeat(256), "nul\0"}) {
            assertThatThrownBy(() -> NamedNetns.add(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid netns name");
        }
        assertThatThrownBy(() -> NamedNetns.add(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NamedNetns.delete("../etc")).isInstanceOf(IllegalArgumentException.class);
        assertThat(NamedNetns.list()).isEqualTo(before);
    }

    @Test
    void attachNamesARunningProcesssNetns() throws Exception {
        Root.assumeProgram("unshare");
        Process p = new ProcessBuilder("unshare", "--net", "sleep", "30").start();
        try {
            Path procNs = Path.of("/proc", Long.toString(p.pid()), "ns", "net");
            long self = NamespaceTable.inode(Path.of("/proc/thread-self/ns/net"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (NamespaceTable.inode(procNs) == self && System.nanoTime() < deadline) {
                Thread.sleep(10); // until unshare has unshared
            }
            String name = namespaces.name("attached");
            namespaces.track(name);
            Netns ns = NamedNetns.attach(name, p.pid());
            assertThat(inode(ns.path())).isEqualTo(NamespaceTable.inode(procNs));
            assertThat(ipNetnsList()).contains(name);
            assertThat(Ip.run("ip", "netns", "identify", Long.toString(p.pid())).ok().out().strip()).isEqualTo(name);

            assertThatThrownBy(() -> NamedNetns.attach(name, p.pid())).isInstanceOf(SysException.class)
                    .hasMessageContaining(name).hasMessageContaining("EEXIST");

            p.destroy();
            p.waitFor();
            // The name keeps the netns alive after the process is gone.
            try (NetlinkHandle h = NetlinkHandle.open(ns)) {
                assertThat(h.links().list()).extracting(Link::name).containsExactly("lo");
            }
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void attachToANonexistentProcess() {
        String name = namespaces.name("nopid");
        assertThatThrownBy(() -> NamedNetns.attach(name, 999_999_999L)).isInstanceOf(SysException.class)
                .hasMessageContaining("999999999").hasMessageContaining("ESRCH");
        assertThat(NamedNetns.exists(name)).isFalse();
    }
}
