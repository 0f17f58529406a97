package podnet.linux.packet.pcap;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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

    private final OutputBuffer out;
    private final int snapLength;
    private long packets;

    public PcapngWriter(OutputStream stream, int snapLength, String interfaceName) {
        this.out = new OutputBuffer(stream);
        this.snapLength = snapLength;
        out.u32(SHB);
        out.u32(28);
        out.u32(BYTE_ORDER_MAGIC);
        out.u16(1);
        out.u16(0);
        out.u64(-1L); // section length unknown
        out.u32(28);
        byte[] name = interfaceName == null ? new byte[0] : interfaceName.getBytes(StandardCharsets.UTF_8);
        int total = 12 + 8 + 8 /* tsresol */ + (name.length == 0 ? 0 : 4 + pad(name.length)) + 4;
        out.u32(IDB);
        out.u32(total);
        out.u16(PcapWriter.LINKTYPE_ETHERNET);
        out.u16(0);
        out.u32(snapLength);
        out.u16(IF_TSRESOL);
        out.u16(1);
        out.bytes(new byte[] {9, 0, 0, 0}, 0, 4); // 10^-9 s, padded
        if (name.length > 0) {
            out.u16(IF_NAME);
            out.u16(name.length);
            out.bytes(name, 0, name.length);
            out.zeros(pad(name.length) - name.length);
        }
        out.u16(OPT_END);
        out.u16(0);
        out.u32(total);
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
        int total = 12 + 20 + pad(incl) + 12;
        out.ensure(total);
        long ts = p.timestampNanos();
        out.u32(EPB);
        out.u32(total);
        out.u32(0); // interface 0
        out.u32((int) (ts >>> 32));
        out.u32((int) ts);
        out.u32(incl);
        out.u32(p.wireLength());
        out.bytes(p.data(), 0, incl);
        out.zeros(pad(incl) - incl);
        out.u16(EPB_FLAGS);
        out.u16(4);
        out.u32(flags(p));
        out.u16(OPT_END);
        out.u16(0);
        out.u32(total);
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
