package podnet.linux.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.packet.pcap.PcapReader;
import podnet.linux.packet.pcap.PcapWriter;

/** The ring-to-file path on a synthetic ring: record headers taken from the ring, or built when the snap length cuts. */
class PcapSpoolTest {
    @TempDir
    Path dir;

    /** What drain() + PcapWriter make of the same ring: the reference the spool must match byte for byte. */
    byte[] reference(int snap, Path file) throws Exception {
        try (SyntheticRing s = new SyntheticRing(CaptureOptions.MAX_SNAP, 5);
                PcapWriter w = PcapWriter.create(file, snap)) {
            s.refill();
            PacketRing cut = new PacketRing(s.segment(), new CaptureOptions(snap, SyntheticRing.BLOCK, SyntheticRing.BLOCKS, 20));
            cut.drain(p -> {
                w.write(p);
                return true;
            });
        }
        return Files.readAllBytes(file);
    }

    byte[] spooled(int snap, Path file) throws Exception {
        try (SyntheticRing s = new SyntheticRing(CaptureOptions.MAX_SNAP, 5);
                PcapSpool spool = PcapSpool.create(file, s.reader(), snap, Long.MAX_VALUE)) {
            s.refill();
            assertThat(s.reader().drainRaw(spool)).isTrue();
            assertThat(spool.frames()).isEqualTo(10);
        }
        return Files.readAllBytes(file);
    }

    @Test
    void wholeFramesTakeTheRingsOwnRecordHeaders() throws Exception {
        byte[] got = spooled(CaptureOptions.MAX_SNAP, dir.resolve("a.pcap"));
        assertThat(got).isEqualTo(reference(CaptureOptions.MAX_SNAP, dir.resolve("ref-a.pcap")));
        List<CapturedPacket> frames = PcapReader.read(got);
        assertThat(frames).hasSize(10).allSatisfy(p -> {
            assertThat(p.data()).hasSize(60);
            assertThat(p.wireLength()).isEqualTo(60);
        });
        assertThat(frames.get(3).timestampNanos()).isEqualTo((1_700_000_000L + 3) * 1_000_000_000L + 3000);
    }

    @Test
    void framesLongerThanTheSnapLengthAreCutWithHeadersBuiltHere() throws Exception {
        byte[] got = spooled(30, dir.resolve("b.pcap"));
        assertThat(got).isEqualTo(reference(30, dir.resolve("ref-b.pcap")));
        assertThat(PcapReader.read(got)).hasSize(10).allSatisfy(p -> {
            assertThat(p.data()).hasSize(30);
            assertThat(p.wireLength()).isEqualTo(60);
        });
    }

    @Test
    void theCountStopsMidBlock() throws Exception {
        Path file = dir.resolve("c.pcap");
        try (SyntheticRing s = new SyntheticRing(CaptureOptions.MAX_SNAP, 5);
                PcapSpool spool = PcapSpool.create(file, s.reader(), CaptureOptions.MAX_SNAP, 3)) {
            s.refill();
            assertThat(s.reader().drainRaw(spool)).isFalse();
            assertThat(spool.frames()).isEqualTo(3);
        }
        assertThat(PcapReader.read(file)).hasSize(3);
    }
}
