package podnet.linux.netlink.nl;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one netlink request: header, the family's fixed struct, then attributes (nested ones
 * with {@link #beginNested}/{@link #endNested}). Every attribute is padded to 4 bytes.
 */
public final class NlRequest {
    private ByteBuffer buf = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
    private final int type;
    private int flags;

    public NlRequest(int type, int flags) {
        this.type = type;
        this.flags = flags;
        buf.position(NlMessage.HEADER_LEN);
    }

    public int type() {
        return type;
    }

    public int flags() {
        return flags;
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    public NlRequest addFlags(int more) {
        flags |= more;
        return this;
    }

    private void ensure(int n) {
        if (buf.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n))
                    .order(ByteOrder.nativeOrder());
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }

    private void pad() {
        int p = NlAttrs.align(buf.position()) - buf.position();
        ensure(p);
        for (int i = 0; i < p; i++) {
            buf.put((byte) 0);
        }
    }

    // ---- the family's fixed header ------------------------------------------------------

    public NlRequest u8(int v) {
        ensure(1);
        buf.put((byte) v);
        return this;
    }

    public NlRequest u16(int v) {
        ensure(2);
        buf.putShort((short) v);
        return this;
    }

    public NlRequest u32(int v) {
        ensure(4);
        buf.putInt(v);
        return this;
    }

    /** Pads the fixed header to 4 bytes; call before the first attribute. */
    public NlRequest alignHeader() {
        pad();
        return this;
    }

    // ---- attributes ----------------------------------------------------------------------

    public NlRequest attr(int attrType, byte[] value) {
        pad();
        int len = 4 + value.length;
        if (len > 0xffff) {
            throw new IllegalArgumentException("netlink attribute " + attrType + " of " + value.length
                    + " bytes does not fit its 16-bit length");
        }
        ensure(NlAttrs.align(len));
        buf.putShort((short) len).putShort((short) attrType).put(value);
        pad();
        return this;
    }

    public NlRequest attrU8(int attrType, int v) {
        return attr(attrType, new byte[] {(byte) v});
    }

    public NlRequest attrU16(int attrType, int v) {
        return attr(attrType, ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) v).array());
    }

    /** A 16-bit value in network byte order (ports), flagged NLA_F_NET_BYTEORDER is up to the caller. */
    public NlRequest attrBe16(int attrType, int v) {
        return attr(attrType, new byte[] {(byte) (v >> 8), (byte) v});
    }

    public NlRequest attrU32(int attrType, int v) {
        return attr(attrType, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array());
    }

    /** A 32-bit value in network byte order. */
    public NlRequest attrBe32(int attrType, int v) {
        return attr(attrType, ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(v).array());
    }

    public NlRequest attrU64(int attrType, long v) {
        return attr(attrType, ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array());
    }

    /** A NUL-terminated string. */
    public NlRequest attrString(int attrType, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return attr(attrType, Arrays.copyOf(b, b.length + 1));
    }

    public NlRequest attrAddress(int attrType, InetAddress a) {
        return attr(attrType, a.getAddress());
    }

    public NlRequest attrFlag(int attrType) {
        return attr(attrType, new byte[0]);
    }

    /** Opens a nested attribute; returns the mark to pass to {@link #endNested}. */
    public int beginNested(int attrType) {
        pad();
        ensure(4);
        int mark = buf.position();
        buf.putShort((short) 0).putShort((short) (attrType | NlAttrs.NLA_F_NESTED));
        return mark;
    }

    /** Like {@link #beginNested} but without NLA_F_NESTED, for attributes the kernel parses raw (VETH_INFO_PEER). */
    public int beginRaw(int attrType) {
        pad();
        ensure(4);
        int mark = buf.position();
        buf.putShort((short) 0).putShort((short) attrType);
        return mark;
    }

    public NlRequest endNested(int mark) {
        int len = buf.position() - mark;
        if (len > 0xffff) {
            throw new IllegalArgumentException("nested netlink attribute of " + len
                    + " bytes does not fit its 16-bit length");
        }
        buf.putShort(mark, (short) len);
        pad();
        return this;
    }

    /** The finished bytes with length, type, flags, sequence and port id filled in. */
    public ByteBuffer toBytes(int seq, int pid) {
        pad();
        ByteBuffer out = buf.duplicate().order(ByteOrder.nativeOrder());
        out.flip();
        out.putInt(0, out.limit());
        out.putShort(4, (short) type);
        out.putShort(6, (short) flags);
        out.putInt(8, seq);
        out.putInt(12, pid);
        return out;
    }
}
