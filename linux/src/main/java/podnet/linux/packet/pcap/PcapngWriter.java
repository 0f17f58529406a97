package podnet.linux.packet.pcap;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import podnet.linux.packet.CapturedPacket;

/**
 * Writes pcapng: one section, one Ethernet interface with nanosecond timestamps and its name,
 * and an Enhanced Packet Block per frame whose epb_flags say inbound/outbound and
 * unicast/multicast/broadcast/promiscuous — what classic pcap cannot carry.
 */
public final class PcapngWriter implements PacketWriter {
    static final int SHB = 0x0A0D0D0A, IDB = 1, EPB = 6, BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    static final short OPT_END = 0, IF_NAME = 2, IF_TSRESOL = 9, EPB_FLAGS = 2;

    private final OutputStream out;
    private final int snapLength;
    private long packets;

    public PcapngWriter(OutputStream out, int snapLength, String interfaceName) {
        this.out = out instanceof BufferedOutputStream ? out : new BufferedOutputStream(out, 1 << 16);
        this.snapLength = snapLength;
        ByteBuffer shb = block(SHB, 16);
        shb.putInt(BYTE_ORDER_MAGIC).putShort((short) 1).putShort((short) 0).putLong(-1L);
        emit(shb);
        byte[] name = interfaceName == null ? new byte[0] : interfaceName.getBytes(StandardCharsets.UTF_8);
        int opts = 8 /* tsresol */ + (name.length == 0 ? 0 : 4 + pad(name.length)) + 4;
        ByteBuffer idb = block(IDB, 8 + opts);
        idb.putShort((short) PcapWriter.LINKTYPE_ETHERNET).putShort((short) 0).putInt(snapLength);
        idb.putShort(IF_TSRESOL).putShort((short) 1).put((byte) 9).put(new byte[3]); // 10^-9 s
        if (name.length > 0) {
            idb.putShort(IF_NAME).putShort((short) name.length).put(name).put(new byte[pad(name.length) - name.length]);
        }
        idb.putShort(OPT_END).putShort((short) 0);
        emit(idb);
    }

    public static PcapngWriter create(Path file, int snapLength, String interfaceName) {
        try {
            return new PcapngWriter(Files.newOutputStream(file), snapLength, interfaceName);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(CapturedPacket p) {
        int incl = Math.min(p.data().length, snapLength);
        ByteBuffer epb = block(EPB, 20 + pad(incl) + 12);
        long ts = p.timestampNanos();
        epb.putInt(0).putInt((int) (ts >>> 32)).putInt((int) ts).putInt(incl).putInt(p.wireLength());
        epb.put(p.data(), 0, incl).put(new byte[pad(incl) - incl]);
        epb.putShort(EPB_FLAGS).putShort((short) 4).putInt(flags(p));
        epb.putShort(OPT_END).putShort((short) 0);
        emit(epb);
        packets++;
    }

    /** epb_flags: bits 0-1 direction (1 in, 2 out), bits 2-4 reception type. */
    static int flags(CapturedPacket p) {
        return switch (p.type()) {
            case OUTGOING -> 2;
            case HOST -> 1 | 1 << 2;
            case MULTICAST -> 1 | 2 << 2;
            case BROADCAST -> 1 | 3 << 2;
            case OTHERHOST -> 1 | 4 << 2;
            case UNKNOWN -> 0;
        };
    }

    private static int pad(int n) {
        return (n + 3) & ~3;
    }

    /** A block buffer with its type and total length written; the body follows. */
    private static ByteBuffer block(int type, int bodyLength) {
        int total = 12 + bodyLength;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(type).putInt(total);
        return b;
    }

    private void emit(ByteBuffer b) {
        b.putInt(b.capacity());
        try {
            out.write(b.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
