package podnet.node.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static podnet.linux.packet.FrameBuilder.*;

import org.junit.jupiter.api.Test;

class FrameParserTest {
    private static byte[] udp(String src, String dst, int sport, int dport) {
        return ether(MAC_B, MAC_A, 0x0800, ipv4(src, dst, 17, FlowTableTest.FrameBuilder2.udp(sport, dport)));
    }

    @Test
    void aFrameInsideABlockParsesAsTheFrameAlone() {
        byte[] frame = udp("10.244.2.3", "10.244.2.2", 2000, 1000);
        byte[] block = new byte[frame.length + 100];
        System.arraycopy(frame, 0, block, 37, frame.length);
        FrameParser p = new FrameParser();
        assertThat(p.parse(block, 37, frame.length, frame.length)).isTrue();
        FrameHeaders alone = FrameHeaders.parse(frame, frame.length);
        assertThat(p.headers()).isEqualTo(alone);
        assertThat(p.keyHash()).isEqualTo(alone.key().hashCode());
        assertThat(p.keyEquals(alone.key())).isTrue();
        // cut short inside the block: the bytes after it are not read
        assertThat(p.parse(block, 37, 20, frame.length)).isFalse();
    }

    @Test
    void theTableFindsAFlowByTheParsedFrameWithoutItsKey() {
        FlowTable t = new FlowTable(10);
        byte[] ab = udp("10.244.2.2", "10.244.2.3", 1000, 2000), ba = udp("10.244.2.3", "10.244.2.2", 2000, 1000);
        Flow f = t.see(FrameHeaders.parse(ab, ab.length), 5, false, 1);
        FrameParser p = new FrameParser();
        p.parse(ba, 0, ba.length, ba.length);
        assertThat(t.see(p, 6, false, 2)).isSameAs(f);
        p.parse(udp("10.244.2.2", "10.244.2.4", 1000, 2000), 0, 42, 42);
        assertThat(t.see(p, 5, false, 3)).isNotSameAs(f);
        assertThat(t.size()).isEqualTo(2);
        assertThat(f.packetsAB + f.packetsBA).isEqualTo(2);
    }
}
