package podnet.linux.packet.pcap;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import podnet.linux.packet.CapturedPacket;

/**
 * Writes the classic pcap format with nanosecond timestamps (magic {@code 0xa1b23c4d}) and
 * LINKTYPE_ETHERNET, which {@code tcpdump -r}, {@code tshark -r} and Wireshark read.
 */
public final class PcapWriter implements PacketWriter {
    public static final int MAGIC_NANOS = 0xa1b23c4d, MAGIC_MICROS = 0xa1b2c3d4;
    public static final int LINKTYPE_ETHERNET = 1;

    private final OutputBuffer out;
    private final int snapLength;
    private long packets;

    public PcapWriter(OutputStream stream, int snapLength) {
        this.out = new OutputBuffer(stream);
        this.snapLength = snapLength;
        byte[] h = fileHeader(snapLength);
        out.bytes(h, 0, h.length);
    }

    /** The 24-byte file header: nanosecond magic, version 2.4, {@code snapLength}, Ethernet. */
    public static byte[] fileHeader(int snapLength) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC_NANOS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0) // thiszone, sigfigs
                .putInt(snapLength).putInt(LINKTYPE_ETHERNET);
        return b.array();
    }

    /** Creates (or truncates) {@code file}. */
    public static PcapWriter create(Path file, int snapLength) {
        try {
            return new PcapWriter(Files.newOutputStream(file), snapLength);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(CapturedPacket p) {
        int incl = Math.min(p.data().length, snapLength);
        out.ensure(16 + incl);
        out.u32((int) (p.timestampNanos() / 1_000_000_000L));
        out.u32((int) (p.timestampNanos() % 1_000_000_000L));
        out.u32(incl);
        out.u32(p.wireLength());
        out.bytes(p.data(), 0, incl);
        packets++;
    }

    @Override
    public long packets() {
        return packets;
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        out.close();
    }
}
