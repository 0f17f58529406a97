package podnet.linux.packet.pcap;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

    private final OutputStream out;
    private final int snapLength;
    private final ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    private long packets;

    public PcapWriter(OutputStream out, int snapLength) {
        this.out = out instanceof BufferedOutputStream ? out : new BufferedOutputStream(out, 1 << 16);
        this.snapLength = snapLength;
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(MAGIC_NANOS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(snapLength).putInt(LINKTYPE_ETHERNET);
        write(h.array());
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
        record.clear();
        record.putInt((int) (p.timestampNanos() / 1_000_000_000L))
                .putInt((int) (p.timestampNanos() % 1_000_000_000L))
                .putInt(incl).putInt(p.wireLength());
        write(record.array());
        try {
            out.write(p.data(), 0, incl);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        packets++;
    }

    @Override
    public long packets() {
        return packets;
    }

    @Override
    public void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(byte[] b) {
        try {
            out.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
