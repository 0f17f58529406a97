package podnet.linux.packet.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import podnet.linux.packet.CapturedPacket;
import podnet.linux.packet.Fixtures;

/** VXLAN on 8472 (tcpdump: OTV) and 4789 with the inner frame decoded, line for line as tcpdump reads the same capture. */
class VxlanDecodeTest {
    @Test
    void everyEncapsulatedFrameReadsAsTcpdumpReadsIt() {
        List<String> ours = new ArrayList<>();
        for (CapturedPacket p : Fixtures.vxlan()) {
            ours.addAll(Summary.of(p.data(), p.wireLength()).lines().toList());
        }
        assertThat(ours).containsExactlyElementsOf(Fixtures.vxlanLines());
    }

    @Test
    void theHeaderAndTheInnerFrameAreThere() {
        EthernetFrame f = FrameDecoder.decode(Fixtures.vxlan().stream()
                .filter(p -> Summary.of(p.data(), p.wireLength()).contains("ICMP echo request")).findFirst()
                .orElseThrow().data());
        Ipv4Packet outer = (Ipv4Packet) f.payload();
        VxlanDatagram v = (VxlanDatagram) outer.payload();
        assertThat(v.flags()).isEqualTo(0x08);
        assertThat(v.vni()).isEqualTo(1);
        assertThat(v.otv()).isTrue();
        assertThat(v.inner().etherType()).isEqualTo(EthernetFrame.IPV4);
        assertThat(((Ipv4Packet) v.inner().payload()).payload()).isInstanceOf(IcmpMessage.class);
    }

    @Test
    void aShortOrCutVxlanPayloadNeverThrows() {
        byte[] frame = Fixtures.vxlan().get(0).data();
        for (int n = 0; n <= frame.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(frame, n);
            assertThat(Summary.of(cut, frame.length)).isNotNull();
        }
    }
}
