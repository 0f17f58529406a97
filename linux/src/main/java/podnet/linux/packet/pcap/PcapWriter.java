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
        out.u32(MAGIC_NANOS);
        out.u16(2);
        out.u16(4);
        out.u32(0); // thiszone
        out.u32(0); // sigfigs
        out.u32(snapLength);
        out.u32(LINKTYPE_ETHERNET);
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
