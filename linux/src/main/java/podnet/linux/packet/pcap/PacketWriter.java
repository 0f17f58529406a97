package podnet.linux.packet.pcap;

import java.nio.file.Path;
import podnet.linux.packet.CapturedPacket;

/** A capture file being written: classic pcap or pcapng. */
public sealed interface PacketWriter extends AutoCloseable permits PcapWriter, PcapngWriter {
    void write(CapturedPacket p);

    long packets();

    void flush();

    @Override
    void close();

    /**
     * A pcapng writer when {@code file} ends in {@code .pcapng} (it keeps each frame's
     * direction), classic pcap otherwise.
     */
    static PacketWriter create(Path file, int snapLength, String interfaceName) {
        return file.getFileName().toString().endsWith(".pcapng")
                ? PcapngWriter.create(file, snapLength, interfaceName)
                : PcapWriter.create(file, snapLength);
    }
}
