package podnet.node.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static podnet.linux.packet.FrameBuilder.*;

import java.util.Set;
import org.junit.jupiter.api.Test;
import podnet.linux.tracefs.SkbDrop;

class DropMatcherTest {
    private static final long T = 1_000_000_000_000L;

    private static SkbDrop drop(String reason, int protocol, long t, int pid, String comm) {
        return new SkbDrop(t, 0, pid, comm, protocol, "f+0x1/0x2", reason);
    }

    @Test
    void aDropFollowsTheSightingWithinTheWindowAndSameProtocol() {
        SkbDrop d = drop("NETFILTER_DROP", 0x0800, T, 1, "ping");
        assertThat(DropMatcher.fits(d, T - 50_000, 0x0800, false)).isTrue();
        assertThat(DropMatcher.fits(d, T - 30_000_000, 0x0800, false)).isFalse(); // too long before
        assertThat(DropMatcher.fits(d, T + 5_000_000, 0x0800, false)).isFalse(); // after it
        assertThat(DropMatcher.fits(d, T - 50_000, 0x0806, false)).isFalse(); // an ARP frame was not it
    }

    @Test
    void neighbourFailuresFollowTheArpRequestSecondsLater() {
        SkbDrop d = drop("NEIGH_FAILED", 0x0800, T, 0, "<idle>");
        assertThat(DropMatcher.fits(d, T - 3_000_000_000L, 0x0806, true)).isTrue();
        assertThat(DropMatcher.fits(d, T - 3_000_000_000L, 0x0806, false)).isFalse(); // a reply
        assertThat(DropMatcher.fits(d, T - 6_000_000_000L, 0x0806, true)).isFalse();
    }

    @Test
    void dropsOfOtherNamespacesUserProcessesAreForeign() {
        TaskNetns tasks = new TaskNetns() {
            @Override
            public long netnsOf(int pid) {
                return pid == 100 ? 11 : pid == 200 ? 22 : 0;
            }
        };
        Set<Long> ours = Set.of(11L);
        assertThat(DropMatcher.foreign(drop("NETFILTER_DROP", 0x800, T, 100, "ping"), tasks, ours)).isFalse();
        assertThat(DropMatcher.foreign(drop("NETFILTER_DROP", 0x800, T, 200, "iperf3"), tasks, ours)).isTrue();
        assertThat(DropMatcher.foreign(drop("NETFILTER_DROP", 0x800, T, 300, "gone"), tasks, ours)).isFalse(); // exited: unknown
        assertThat(DropMatcher.foreign(drop("NETFILTER_DROP", 0x800, T, 200, "ksoftirqd/1"), tasks, ours)).isFalse();
        assertThat(DropMatcher.foreign(drop("NEIGH_FAILED", 0x800, T, 200, "resolver-5"), tasks, ours)).isFalse(); // timers
    }

    @Test
    void theNewestFittingSightingWins() {
        RecentSightings r = new RecentSightings(4);
        FlowTable t = new FlowTable(10);
        byte[] f1 = ether(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.1", "10.0.0.2", 17, udp(1, 2, new byte[1])));
        byte[] f2 = ether(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.1", "10.0.0.3", 17, udp(1, 2, new byte[1])));
        FrameHeaders h1 = FrameHeaders.parse(f1, f1.length), h2 = FrameHeaders.parse(f2, f2.length);
        Flow a = t.see(h1, 3, false, T - 1_000_000), b = t.see(h2, 4, false, T - 500_000);
        r.add(T - 1_000_000, h1.etherType(), h1.arpRequest(), a, h1.fromA(), 3);
        r.add(T - 500_000, h2.etherType(), h2.arpRequest(), b, h2.fromA(), 4);
        SkbDrop d = drop("IP_INNOROUTES", 0x0800, T, 0, "x");
        assertThat(r.match(d, m -> true).flow()).isSameAs(b);
        assertThat(r.match(d, m -> m.flow() != b).flow()).isSameAs(a);
        for (int i = 0; i < 4; i++) {
            r.add(T - 40_000_000, h1.etherType(), h1.arpRequest(), a, h1.fromA(), 3); // pushes the recent ones out of the ring
        }
        assertThat(r.match(d, m -> true)).isNull();
    }

    @Test
    void aTunnelOrBridgeDropNeedsSuchALinkOnThePath() {
        SkbDrop vxlan = new SkbDrop(T, 0, 5, "kworker/0:2", 0x86dd, "vxlan_xmit+0xdb0/0x1630", "NO_TX_TARGET");
        SkbDrop bridge = new SkbDrop(T, 0, 5, "x", 0x800, "br_handle_frame+0xff/0x4c0", "BRIDGE_INGRESS_STP_STATE");
        SkbDrop nft = new SkbDrop(T, 0, 5, "x", 0x800, "nft_do_chain+0x46f/0x690", "NETFILTER_DROP");
        assertThat(DropMatcher.plausibleOn(vxlan, Set.of("bridge", "veth"))).isFalse();
        assertThat(DropMatcher.plausibleOn(vxlan, Set.of("bridge", "veth", "vxlan"))).isTrue();
        assertThat(DropMatcher.plausibleOn(bridge, Set.of("veth"))).isFalse();
        assertThat(DropMatcher.plausibleOn(bridge, Set.of("bridge"))).isTrue();
        assertThat(DropMatcher.plausibleOn(nft, Set.of())).isTrue();
    }
}
