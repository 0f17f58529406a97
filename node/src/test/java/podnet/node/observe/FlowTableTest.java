package podnet.node.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static podnet.linux.packet.FrameBuilder.*;

import org.junit.jupiter.api.Test;

class FlowTableTest {
    private static FrameHeaders udp(String src, String dst, int sport, int dport) {
        byte[] f = ether(MAC_B, MAC_A, 0x0800, ipv4(src, dst, 17, FrameBuilder2.udp(sport, dport)));
        return FrameHeaders.parse(f, f.length);
    }

    @Test
    void aForwardedPacketIsCountedOnceWhereItEntered() {
        FlowTable t = new FlowTable(10);
        FrameHeaders ab = udp("10.244.2.2", "10.244.2.3", 1000, 2000);
        FrameHeaders ba = udp("10.244.2.3", "10.244.2.2", 2000, 1000);
        Flow f = t.see(ab, 5, false, 1); // in from pod 2 on its port (ifindex 5)
        assertThat(f.verdict).isEqualTo(Verdict.SEEN);
        t.see(ab, 6, true, 2); // out to pod 3 on ifindex 6: forwarded, not counted again
        t.see(ab, 5, false, 3);
        t.see(ab, 6, true, 4);
        t.see(ba, 6, false, 5);
        t.see(ba, 5, true, 6);
        assertThat(f.packetsAB + f.packetsBA).isEqualTo(3);
        assertThat(f.aStarted ? f.packetsAB : f.packetsBA).isEqualTo(2);
        assertThat(f.verdict).isEqualTo(Verdict.FORWARDED);
        assertThat(f.hopCount).isEqualTo(2);
        assertThat(f.firstNanos).isEqualTo(1);
        assertThat(f.lastNanos).isEqualTo(6);
        assertThat(t.size()).isOne();
    }

    @Test
    void beyondCapacityTheLeastRecentlyActiveFlowIsEvicted() {
        FlowTable t = new FlowTable(3);
        for (int i = 0; i < 3; i++) {
            t.see(udp("10.0.0.1", "10.0.0.2", 1000 + i, 53), 1, false, i);
        }
        t.see(udp("10.0.0.1", "10.0.0.2", 1000, 53), 1, false, 10); // flow 0 is active again
        t.see(udp("10.0.0.1", "10.0.0.2", 1003, 53), 1, false, 11);
        assertThat(t.size()).isEqualTo(3);
        assertThat(t.evicted()).isOne();
        assertThat(t.newestFirst(10)).extracting(f -> f.key.aPort()).containsExactly(1003, 1000, 1002);
        assertThat(t.get(udp("10.0.0.1", "10.0.0.2", 1001, 53).key())).isNull();
        assertThat(t.get(udp("10.0.0.1", "10.0.0.2", 1000, 53).key())).isNotNull();
    }

    @Test
    void idleFlowsExpireAndChangesAreTracked() {
        FlowTable t = new FlowTable(100);
        Flow old = t.see(udp("10.0.0.1", "10.0.0.2", 1, 53), 1, false, 100);
        long tick = t.ticks();
        Flow fresh = t.see(udp("10.0.0.1", "10.0.0.2", 2, 53), 1, false, 500);
        assertThat(t.changedSince(tick)).containsExactly(fresh);
        old.error("TCP RST from 10.0.0.2");
        t.changed(old);
        assertThat(t.changedSince(tick)).containsExactly(fresh, old);
        assertThat(old.verdict).isEqualTo(Verdict.ERROR);
        old.dropped(new KernelDrop(1, "NETFILTER_DROP", "nft_do_chain", "veth1"));
        assertThat(old.verdict).isEqualTo(Verdict.DROPPED);
        old.error("another");
        assertThat(old.verdict).isEqualTo(Verdict.DROPPED); // the worst verdict sticks
        assertThat(t.expire(50)).isZero();
        assertThat(t.expire(300)).isOne(); // old was last seen at 100
        assertThat(t.size()).isOne();
        assertThat(t.get(old.key)).isNull();
    }

    @Test
    void capacityMustBePositive() {
        assertThatThrownBy(() -> new FlowTable(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A UDP header with a small payload. */
    static final class FrameBuilder2 {
        static byte[] udp(int sport, int dport) {
            return podnet.linux.packet.FrameBuilder.udp(sport, dport, new byte[4]);
        }
    }
}
