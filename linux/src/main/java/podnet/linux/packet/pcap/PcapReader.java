package podnet.linux.packet.pcap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import podnet.linux.packet.CapturedPacket;
import podnet.linux.packet.PacketType;

/**
 * Reads classic pcap files (micro- or nanosecond, either byte order) of Ethernet frames, e.g.
 * fixtures recorded with {@code tcpdump -w}. A file that is not such a pcap fails with a
 * message that says why; a cut-off last record is dropped.
 */
public final class PcapReader {
    private PcapReader() {}

    public static List<CapturedPacket> read(Path file) {
        try {
            return read(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public static List<CapturedPacket> read(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 24) {
            throw new IllegalArgumentException("not a pcap file: " + bytes.length + " bytes");
        }
        int magic = b.getInt(0);
        if (magic == Integer.reverseBytes(PcapWriter.MAGIC_MICROS) || magic == Integer.reverseBytes(PcapWriter.MAGIC_NANOS)) {
            b.order(ByteOrder.BIG_ENDIAN);
            magic = Integer.reverseBytes(magic);
        }
        boolean nanos;
        if (magic == PcapWriter.MAGIC_NANOS) {
            nanos = true;
        } else if (magic == PcapWriter.MAGIC_MICROS) {
            nanos = false;
        } else {
            throw new IllegalArgumentException(String.format("not a pcap file: magic 0x%08x", magic));
        }
        int linkType = b.getInt(20);
        if (linkType != PcapWriter.LINKTYPE_ETHERNET) {
            throw new IllegalArgumentException("pcap link type " + linkType + " is not Ethernet (1)");
        }
        List<CapturedPacket> out = new ArrayList<>();
        int at = 24;
        while (at + 16 <= bytes.length) {
            long sec = Integer.toUnsignedLong(b.getInt(at));
            long frac = Integer.toUnsignedLong(b.getInt(at + 4));
            int incl = b.getInt(at + 8);
            int orig = b.getInt(at + 12);
            if (incl < 0 || at + 16 + incl > bytes.length) {
                break;
            }
            byte[] data = new byte[incl];
            System.arraycopy(bytes, at + 16, data, 0, incl);
            long ns = sec * 1_000_000_000L + (nanos ? frac : frac * 1000);
            out.add(new CapturedPacket(ns, 0, PacketType.UNKNOWN, Math.max(orig, incl), data));
            at += 16 + incl;
        }
        return out;
    }
}
