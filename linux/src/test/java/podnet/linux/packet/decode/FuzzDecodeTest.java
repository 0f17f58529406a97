package podnet.linux.packet.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import podnet.linux.packet.CapturedPacket;
import podnet.linux.packet.Fixtures;
import podnet.linux.packet.filter.CaptureFilter;

/** Random, cut and mutated frames decode to something printable, never to an exception. */
class FuzzDecodeTest {
    private static final List<CaptureFilter> FILTERS = List.of(CaptureFilter.parse("vlan or tcp port 5000"),
            CaptureFilter.parse("host 10.244.2.208 and not arp"), CaptureFilter.parse("icmp6 or udp"));

    private static void decodeAndPrint(byte[] d, int wire) {
        EthernetFrame f = FrameDecoder.decode(d, wire);
        assertThat(f).isNotNull();
        assertThat(Summary.of(f)).isNotBlank();
        for (CaptureFilter c : FILTERS) {
            c.matches(d);
        }
    }

    @Test
    void randomBytes() {
        Random r = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] d = new byte[r.nextInt(120)];
            r.nextBytes(d);
            if (d.length > 13 && r.nextBoolean()) { // steer half of them into the decoders we have
                int[] types = {0x0806, 0x0800, 0x86dd, 0x8100};
                int t = types[r.nextInt(types.length)];
                d[12] = (byte) (t >> 8);
                d[13] = (byte) t;
                if (t == 0x0800 && d.length > 14) {
                    d[14] = (byte) (0x40 | (r.nextInt(16)));
                }
            }
            decodeAndPrint(d, r.nextBoolean() ? d.length : r.nextInt(2000));
        }
    }

    @Test
    void everyPrefixOfEveryRealFrame() {
        for (CapturedPacket p : Fixtures.exchange()) {
            byte[] d = p.data();
            for (int n = 0; n <= d.length; n++) {
                decodeAndPrint(Arrays.copyOf(d, n), p.wireLength());
            }
        }
    }

    @Test
    void realFramesWithFlippedBytes() {
        Random r = new Random(7);
        List<CapturedPacket> frames = Fixtures.exchange();
        for (int i = 0; i < 20_000; i++) {
            byte[] d = frames.get(r.nextInt(frames.size())).data().clone();
            for (int k = 0; k < 1 + r.nextInt(4); k++) {
                d[r.nextInt(d.length)] = (byte) r.nextInt(256);
            }
            decodeAndPrint(d, d.length);
        }
    }

    @Test
    void cutHeadersSayTruncated() {
        CapturedPacket syn = Fixtures.exchange().stream()
                .filter(p -> Summary.of(p.data(), p.wireLength()).contains("Flags [S],")).findFirst().orElseThrow();
        assertThat(Summary.of(Arrays.copyOf(syn.data(), 40), syn.wireLength()))
                .isEqualTo("IP 10.244.2.207 > 10.244.2.208: [truncated tcp: 6 of 20 bytes]");
        assertThat(Summary.of(Arrays.copyOf(syn.data(), 20), syn.wireLength())).isEqualTo("IP [truncated ip: 6 of 20 bytes]");
        assertThat(Summary.of(new byte[5], 5)).isEqualTo("[truncated ethernet: 5 of 14 bytes]");
        CapturedPacket arp = Fixtures.exchange().stream()
                .filter(p -> Summary.of(p.data(), p.wireLength()).startsWith("ARP, Request")).findFirst().orElseThrow();
        assertThat(Summary.of(Arrays.copyOf(arp.data(), 30), 42)).isEqualTo("ARP, [truncated arp: 16 of 28 bytes]");
        assertThat(FrameDecoder.decode(Arrays.copyOf(arp.data(), 30)).payload())
                .isEqualTo(new Truncated("arp", 28, 16));
    }
}
