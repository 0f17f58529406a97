package podnet.linux.packet.pcap;

import static org.assertj.core.api.Assertions.assertThat;

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
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;

/** pcapng files we write are read by tcpdump and tshark, with directions and nanoseconds. */
class PcapngWriterTest {
    @TempDir
    Path dir;

    static List<CapturedPacket> withTypes() {
        List<CapturedPacket> out = new ArrayList<>();
        PacketType[] types = {PacketType.OUTGOING, PacketType.HOST, PacketType.BROADCAST, PacketType.MULTICAST};
        int i = 0;
        for (CapturedPacket p : Fixtures.exchange()) {
            out.add(new CapturedPacket(p.timestampNanos() + 123, 3, types[i++ % types.length], p.wireLength(), p.data()));
        }
        return out;
    }

    @Test
    void tcpdumpReadsItLikeWeDo() {
        Root.assumeProgram("tcpdump");
        Path file = dir.resolve("x.pcapng");
        List<CapturedPacket> frames = withTypes();
        try (PacketWriter w = PacketWriter.create(file, 262144, "veth0")) {
            assertThat(w).isInstanceOf(PcapngWriter.class);
            frames.forEach(w::write);
        }
        assertThat(frames.stream().map(p -> Summary.of(p.data(), p.wireLength())).toList())
                .containsExactlyElementsOf(Oracle.tcpdump(file));
    }

    @Test
    void tsharkSeesDirectionsNanosecondsAndTheInterface() {
        Root.assumeProgram("tshark");
        Path file = dir.resolve("x.pcapng");
        List<CapturedPacket> frames = withTypes().subList(0, 8);
        try (PacketWriter w = PacketWriter.create(file, 262144, "veth0")) {
            frames.forEach(w::write);
        }
        List<String> rows = Ip.run("tshark", "-n", "-r", file.toString(), "-T", "fields", "-E", "separator=,",
                "-e", "frame.packet_flags_direction", "-e", "frame.time_epoch", "-e", "frame.interface_name")
                .ok().out().lines().toList();
        assertThat(rows).hasSize(8);
        for (int i = 0; i < 8; i++) {
            String[] f = rows.get(i).split(",");
            CapturedPacket p = frames.get(i);
            assertThat(Integer.decode(f[0])).isEqualTo(p.type().isOutgoing() ? 2 : 1);
            long ns = p.timestampNanos();
            assertThat(f[1]).isEqualTo(String.format("%d.%09d", ns / 1_000_000_000L, ns % 1_000_000_000L));
            assertThat(f[2]).isEqualTo("veth0");
        }
    }

    @Test
    void otherNamesGetClassicPcap() {
        try (PacketWriter w = PacketWriter.create(dir.resolve("x.pcap"), 100, "eth0")) {
            assertThat(w).isInstanceOf(PcapWriter.class);
        }
    }
}
