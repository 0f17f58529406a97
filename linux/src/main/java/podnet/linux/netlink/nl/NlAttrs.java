package podnet.linux.netlink.nl;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The attributes (TLVs) of a netlink message or of a nested attribute, in order. Lookups ignore
 * the NLA_F_NESTED and NLA_F_NET_BYTEORDER bits; a malformed tail is dropped, never thrown on.
 */
public final class NlAttrs {
    public static final int NLA_F_NESTED = 0x8000, NLA_F_NET_BYTEORDER = 0x4000,
            NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

    /** One attribute: its type (flags stripped) and value view. */
    public record Attr(int type, ByteBuffer value) {}

    private static final NlAttrs EMPTY = new NlAttrs(List.of());

    private final List<Attr> attrs;

    private NlAttrs(List<Attr> attrs) {
        this.attrs = attrs;
    }

    public static int align(int n) {
        return (n + 3) & ~3;
    }

    /** Parses attributes from {@code offset} to the buffer's limit. */
    public static NlAttrs parse(ByteBuffer buf, int offset) {
        ByteBuffer b = buf.duplicate().order(ByteOrder.nativeOrder());
        List<Attr> list = new ArrayList<>();
        int pos = offset;
        int end = b.limit();
        while (end - pos >= 4) {
            int len = Short.toUnsignedInt(b.getShort(pos));
            int type = Short.toUnsignedInt(b.getShort(pos + 2)) & NLA_TYPE_MASK;
            if (len < 4 || len > end - pos) {
                break;
            }
            list.add(new Attr(type, b.slice(pos + 4, len - 4).order(ByteOrder.nativeOrder())));
            pos += align(len);
        }
        return new NlAttrs(Collections.unmodifiableList(list));
    }

    public List<Attr> all() {
        return attrs;
    }

    /** Every attribute of the given type, in order (for repeated attributes). */
    public List<ByteBuffer> all(int type) {
        List<ByteBuffer> out = new ArrayList<>();
        for (Attr a : attrs) {
            if (a.type == type) {
                out.add(a.value.duplicate().order(ByteOrder.nativeOrder()));
            }
        }
        return out;
    }

    public ByteBuffer get(int type) {
        for (Attr a : attrs) {
            if (a.type == type) {
                return a.value.duplicate().order(ByteOrder.nativeOrder());
            }
        }
        return null;
    }

    public boolean has(int type) {
        return get(type) != null;
    }

    public NlAttrs nested(int type) {
        ByteBuffer v = get(type);
        return v == null ? EMPTY : parse(v, 0);
    }

    public Integer u8(int type) {
        ByteBuffer v = get(type);
        return v == null || v.remaining() < 1 ? null : Byte.toUnsignedInt(v.get(0));
    }

    public Integer u16(int type) {
        ByteBuffer v = get(type);
        return v == null || v.remaining() < 2 ? null : Short.toUnsignedInt(v.getShort(0));
    }

    /** A 16-bit value in network byte order (ports). */
    public Integer be16(int type) {
        ByteBuffer v = get(type);
        return v == null || v.remaining() < 2 ? null
                : Short.toUnsignedInt(v.order(ByteOrder.BIG_ENDIAN).getShort(0));
    }

    public Integer u32(int type) {
        ByteBuffer v = get(type);
        return v == null || v.remaining() < 4 ? null : v.getInt(0);
    }

    public int u32(int type, int dflt) {
        Integer v = u32(type);
        return v == null ? dflt : v;
    }

    public Long u64(int type) {
        ByteBuffer v = get(type);
        return v == null || v.remaining() < 8 ? null : v.getLong(0);
    }

    /** A NUL-terminated (or unterminated) string. */
    public String string(int type) {
        ByteBuffer v = get(type);
        if (v == null) {
            return null;
        }
        int n = 0;
        while (n < v.remaining() && v.get(n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        v.get(0, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public byte[] bytes(int type) {
        ByteBuffer v = get(type);
        if (v == null) {
            return null;
        }
        byte[] bytes = new byte[v.remaining()];
        v.get(0, bytes);
        return bytes;
    }

    /** An IPv4 or IPv6 address (4 or 16 bytes), or null. */
    public InetAddress address(int type) {
        byte[] b = bytes(type);
        if (b == null || (b.length != 4 && b.length != 16)) {
            return null;
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("NlAttrs[");
        for (Attr a : attrs) {
            sb.append(a.type).append('(').append(a.value.remaining()).append(") ");
        }
        return sb.append(']').toString();
    }
}
