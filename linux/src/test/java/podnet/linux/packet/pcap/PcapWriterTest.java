package podnet.linux.packet.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.packet.CapturedPacket;
import podnet.linux.packet.Fixtures;
import podnet.linux.packet.Oracle;
import podnet.linux.packet.PacketType;
import podnet.linux.packet.decode.Summary;
import podnet.linux.testing.Root;

/** Files we write are read back by us, by tcpdump and by tshark, frame for frame. */
class PcapWriterTest {
    @TempDir
    Path dir;

    /** The fixture frames, each also with an 802.1Q tag (VLAN 10, priority 1) put in. */
    static List<CapturedPacket> framesWithVlanCopies() {
        List<CapturedPacket> out = new ArrayList<>();
        for (CapturedPacket p : Fixtures.exchange()) {
            out.add(p);
            byte[] d = p.data();
            byte[] tagged = new byte[d.length + 4];
            System.arraycopy(d, 0, tagged, 0, 12);
            tagged[12] = (byte) 0x81;
            tagged[14] = 0x20;
            tagged[15] = 10;
            System.arraycopy(d, 12, tagged, 16, d.length - 12);
            out.add(new CapturedPacket(p.timestampNanos() + 1, 0, PacketType.UNKNOWN, p.wireLength() + 4, tagged));
        }
        return out;
    }

    @Test
    void roundTripKeepsNanosecondsLengthsAndBytes() {
        Path file = dir.resolve("rt.pcap");
        List<CapturedPacket> frames = framesWithVlanCopies();
        CapturedPacket cut = new CapturedPacket(1_700_000_000_123_456_789L, 0, PacketType.HOST, 1500,
                new byte[] {1, 2, 3});
        try (PcapWriter w = PcapWriter.create(file, 262144)) {
            frames.forEach(w::write);
            w.write(cut);
            assertThat(w.packets()).isEqualTo(frames.size() + 1);
        }
        List<CapturedPacket> back = PcapReader.read(file);
        assertThat(back).hasSize(frames.size() + 1);
        for (int i = 0; i < frames.size(); i++) {
            assertThat(back.get(i).data()).isEqualTo(frames.get(i).data());
            assertThat(back.get(i).wireLength()).isEqualTo(frames.get(i).wireLength());
            assertThat(back.get(i).timestampNanos()).isEqualTo(frames.get(i).timestampNanos());
        }
        assertThat(back.getLast().timestampNanos()).isEqualTo(1_700_000_000_123_456_789L);
        assertThat(back.getLast().wireLength()).isEqualTo(1500);
        assertThat(back.getLast().isTruncated()).isTrue();
    }

    @Test
    void snapLengthCutsFramesButKeepsTheirWireLength() {
        Path file = dir.resolve("snap.pcap");
        try (PcapWriter w = PcapWriter.create(file, 20)) {
            Fixtures.exchange().forEach(w::write);
        }
        assertThat(PcapReader.read(file)).allSatisfy(p -> assertThat(p.data().length).isLessThanOrEqualTo(20))
                .anySatisfy(p -> assertThat(p.wireLength()).isGreaterThan(20));
    }

    @Test
    void tcpdumpReadsOurFileLikeWeDo() {
        Root.assumeProgram("tcpdump");
        Path file = dir.resolve("ours.pcap");
        List<CapturedPacket> frames = framesWithVlanCopies();
        try (PcapWriter w = PcapWriter.create(file, 262144)) {
            frames.forEach(w::write);
        }
        List<String> tcpdump = Oracle.tcpdump(file);
        assertThat(tcpdump).hasSameSizeAs(frames);
        List<String> ours = frames.stream().map(p -> Summary.of(p.data(), p.wireLength())).toList();
        assertThat(ours).containsExactlyElementsOf(tcpdump);
    }

    @Test
    void tsharkReadsOurFile() {
        Root.assumeProgram("tshark");
        Path file = dir.resolve("ours.pcap");
        List<CapturedPacket> frames = framesWithVlanCopies();
        try (PcapWriter w = PcapWriter.create(file, 262144)) {
            frames.forEach(w::write);
        }
        assertThat(Oracle.tsharkCount(file)).isEqualTo(frames.size());
    }

    @Test
    void notAPcapIsRefusedWithTheReason() throws Exception {
        Path junk = dir.resolve("junk");
        Files.writeString(junk, "this is not a capture file at all");
        assertThatThrownBy(() -> PcapReader.read(junk)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a pcap file: magic");
        assertThatThrownBy(() -> PcapReader.read(new byte[3])).hasMessageContaining("not a pcap file");
    }
}
