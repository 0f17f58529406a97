package podnet.linux.tracefs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/**
 * The kfree_skb watch on the real kernel: an nft drop rule in a throwaway namespace shows up as
 * NETFILTER_DROP in nft_do_chain; the instance is private (the global settings stay as they
 * were), removed on close, and stale ones of dead runs are removed at start.
 */
class SkbDropWatchTest {
    private TestNetns ns;
    private Netns a, b;

    @BeforeEach
    void setUp() {
        Root.assume();
        Root.assumeProgram("nft");
        ns = new TestNetns("observe");
        a = ns.add("dropA");
        b = ns.add("dropB");
        try (NetlinkHandle ha = NetlinkHandle.open(a); NetlinkHandle hb = NetlinkHandle.open(b)) {
            ha.links().addVeth("eth0", "eth0", b, 0);
            ha.addresses().add("eth0", Cidr.parse("10.250.1.1/24"));
            hb.addresses().add("eth0", Cidr.parse("10.250.1.2/24"));
            ha.links().setUp("eth0");
            hb.links().setUp("eth0");
        }
    }

    @AfterEach
    void tearDown() {
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void nftDropIsSeenWithItsReasonAndNothingIsLeft() throws Exception {
        String bn = b.name();
        Ip.run("ip", "netns", "exec", bn, "nft", "add table inet t; add chain inet t input { type filter hook input priority 0; }; "
                + "add rule inet t input icmp type echo-request drop").ok();
        List<SkbDrop> drops = new CopyOnWriteArrayList<>();
        String global, name;
        try (TraceFs fs = TraceFs.open()) {
            global = globalSettings(fs.root());
        }
        long before;
        try (SkbDropWatch w = SkbDropWatch.start(Set.of("NOT_SPECIFIED"), drops::add)) {
            name = w.instanceName();
            before = System.currentTimeMillis() * 1_000_000L;
            assertThat(Ip.ping(a.name(), "10.250.1.2", 1)).isFalse();
            long until = System.currentTimeMillis() + 5000; // a busy machine's other drops come first
            while (System.currentTimeMillis() < until && drops.stream().noneMatch(d -> d.reason().equals("NETFILTER_DROP")
                    && d.timeNanos() >= before)) {
                Thread.sleep(20);
            }
        }
        long after = System.currentTimeMillis() * 1_000_000L;
        SkbDrop d = drops.stream().filter(x -> x.reason().equals("NETFILTER_DROP") && x.timeNanos() >= before - 5_000_000L)
                .findFirst().orElseThrow(() -> new AssertionError("no NETFILTER_DROP among " + drops.size() + " drops, e.g. "
                        + drops.stream().limit(10).toList()));
        assertThat(d.function()).isEqualTo("nft_do_chain");
        assertThat(d.protocol()).isEqualTo(0x0800);
        assertThat(d.timeNanos()).isBetween(before - 5_000_000L, after + 5_000_000L);
        assertThat(drops).noneMatch(x -> x.reason().equals("NOT_SPECIFIED")); // filtered in the kernel
        try (TraceFs fs = TraceFs.open()) {
            assertThat(fs.instanceNames()).doesNotContain(name);
            assertThat(globalSettings(fs.root())).isEqualTo(global);
        }
    }

    @Test
    void staleInstancesOfDeadRunsAreRemovedAtStartOthersAreKept() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        InstanceName dead = new InstanceName(SkbDropWatch.PREFIX, gone.pid(), 12345, "dead1");
        InstanceName live = InstanceName.mine(SkbDropWatch.PREFIX);
        try (TraceFs fs = TraceFs.open()) {
            Files.createDirectory(fs.instances().resolve(dead.text()));
            Files.createDirectory(fs.instances().resolve(live.text()));
            try (SkbDropWatch w = SkbDropWatch.start(Set.of(), d -> { })) {
                assertThat(w.staleRemoved()).contains(dead.text()).doesNotContain(live.text());
            }
            assertThat(fs.instanceNames()).doesNotContain(dead.text()).contains(live.text());
        } finally {
            try (TraceFs fs = TraceFs.open()) {
                Files.deleteIfExists(fs.instances().resolve(live.text()));
                Files.deleteIfExists(fs.instances().resolve(dead.text()));
            }
        }
    }

    /** What podnet must never change: the top-level event switch, clock, buffer and tracer. */
    private static String globalSettings(Path root) throws Exception {
        return Files.readString(root.resolve("events/skb/kfree_skb/enable")).strip() + "|"
                + Files.readString(root.resolve("trace_clock")).strip() + "|"
                + Files.readString(root.resolve("tracing_on")).strip() + "|"
                + Files.readString(root.resolve("current_tracer")).strip() + "|"
                + Files.readString(root.resolve("set_event")).strip();
    }
}
