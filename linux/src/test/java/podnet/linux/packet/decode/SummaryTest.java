package podnet.linux.packet.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import podnet.linux.packet.CapturedPacket;
import podnet.linux.packet.Fixtures;

/** Our summaries of real captured frames equal tcpdump's lines for the same file. */
class SummaryTest {
    @Test
    void everyFixtureFrameReadsLikeTcpdump() {
        List<CapturedPacket> frames = Fixtures.exchange();
        List<String> expected = Fixtures.exchangeLines();
        assertThat(frames).hasSameSizeAs(expected).hasSizeGreaterThan(30);
        List<String> ours = new ArrayList<>();
        for (CapturedPacket p : frames) {
            ours.add(Summary.of(p.data(), p.wireLength()));
        }
        assertThat(ours).containsExactlyElementsOf(expected);
    }

    @Test
    void theArticlesLinesAppear() {
        List<String> ours = Fixtures.exchange().stream().map(p -> Summary.of(p.data(), p.wireLength())).toList();
        assertThat(ours).contains("ARP, Request who-has 10.244.2.208 tell 10.244.2.207, length 28");
        assertThat(ours).anyMatch(s -> s.matches("ARP, Reply 10\\.244\\.2\\.208 is-at ([0-9a-f]{2}:){5}[0-9a-f]{2}, length 28"));
        assertThat(ours).anyMatch(s -> s.matches(
                "IP 10\\.244\\.2\\.207 > 10\\.244\\.2\\.208: ICMP echo request, id \\d+, seq 1, length 64"));
    }

    @Test
    void decodedRecordsCarryTheFields() {
        CapturedPacket syn = Fixtures.exchange().stream()
                .filter(p -> Summary.of(p.data(), p.wireLength()).contains("Flags [S],")).findFirst().orElseThrow();
        EthernetFrame f = FrameDecoder.decode(syn.data(), syn.wireLength());
        assertThat(f.etherType()).isEqualTo(EthernetFrame.IPV4);
        Ipv4Packet ip = (Ipv4Packet) f.payload();
        assertThat(InetText.of(ip.destination())).isEqualTo("10.244.2.208");
        TcpSegment tcp = (TcpSegment) ip.payload();
        assertThat(tcp.destinationPort()).isEqualTo(5000);
        assertThat(tcp.has(TcpSegment.SYN)).isTrue();
        assertThat(tcp.options()).extracting(TcpOption::kind).contains(TcpOption.MSS, TcpOption.TIMESTAMP);
    }

    @Test
    void ipv6TextIsCompressedLikeInetNtop() throws Exception {
        assertThat(InetText.of(java.net.InetAddress.getByName("fe80:0:0:0:0:0:0:1"))).isEqualTo("fe80::1");
        assertThat(InetText.of(java.net.InetAddress.getByName("::"))).isEqualTo("::");
        assertThat(InetText.of(java.net.InetAddress.getByName("ff02::1:ff00:1"))).isEqualTo("ff02::1:ff00:1");
        assertThat(InetText.of(java.net.InetAddress.getByName("1:0:0:2:0:0:0:3"))).isEqualTo("1:0:0:2::3");
        assertThat(InetText.of(java.net.InetAddress.getByName("1:0:2:3:4:5:6:7"))).isEqualTo("1:0:2:3:4:5:6:7");
    }
}
