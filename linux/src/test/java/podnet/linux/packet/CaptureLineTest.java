package podnet.linux.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;

class CaptureLineTest {
    @Test
    void timestampsLikeTcpdump() {
        ZoneId utc = ZoneId.of("UTC");
        assertThat(CaptureLine.time(1_700_000_000_123_456_789L, utc)).isEqualTo("22:13:20.123456");
        assertThat(CaptureLine.time(5_000L, utc)).isEqualTo("00:00:00.000005");
    }

    @Test
    void wholeLinesEqualTcpdumpsDefaultOutput() {
        Root.assumeProgram("tcpdump");
        Path file = Path.of("target/test-classes/packet/exchange.pcap").toAbsolutePath();
        List<String> tcpdump = Ip.run("env", "TZ=UTC", "tcpdump", "-n", "-S", "-r", file.toString()).ok().out().lines().toList();
        List<String> ours = Fixtures.exchange().stream().map(p -> CaptureLine.format(p, ZoneId.of("UTC"), false)).toList();
        assertThat(ours).containsExactlyElementsOf(tcpdump);
    }

    @Test
    void relativeSequenceNumbersLikeTcpdumpWithoutS() {
        Root.assumeProgram("tcpdump");
        Path file = Path.of("target/test-classes/packet/exchange.pcap").toAbsolutePath();
        List<String> tcpdump = Ip.run("env", "TZ=UTC", "tcpdump", "-n", "-r", file.toString()).ok().out().lines().toList();
        var seqs = new podnet.linux.packet.decode.RelativeSequences();
        List<String> ours = Fixtures.exchange().stream().map(p -> CaptureLine.format(p, ZoneId.of("UTC"), false, seqs)).toList();
        assertThat(ours).containsExactlyElementsOf(tcpdump);
        assertThat(ours).anyMatch(l -> l.contains("Flags [P.], seq 1:7, ack 1, win"));
    }

    @Test
    void directionMarkers() {
        CapturedPacket out = new CapturedPacket(0, 1, PacketType.OUTGOING, 3, new byte[3]);
        assertThat(CaptureLine.format(out, ZoneId.of("UTC"), true)).startsWith("00:00:00.000000 Out [truncated ethernet");
        assertThat(PacketType.of(0)).isEqualTo(PacketType.HOST);
        assertThat(PacketType.of(4).isOutgoing()).isTrue();
        assertThat(PacketType.of(99)).isEqualTo(PacketType.UNKNOWN);
    }
}
