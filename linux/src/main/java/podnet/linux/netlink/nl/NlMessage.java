package podnet.linux.netlink.nl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One netlink message: the 16-byte {@code nlmsghdr} and its payload (a read-only,
 * native-order view positioned at 0).
 */
public record NlMessage(int type, int flags, int seq, int pid, ByteBuffer payload) {
    public static final int HEADER_LEN = 16;

    public static final int NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3, NLMSG_OVERRUN = 4;

    public static final int NLM_F_REQUEST = 0x1, NLM_F_MULTI = 0x2, NLM_F_ACK = 0x4,
            NLM_F_ECHO = 0x8, NLM_F_DUMP_INTR = 0x10, NLM_F_DUMP_FILTERED = 0x20;
    /** Modifiers to GET requests. */
    public static final int NLM_F_ROOT = 0x100, NLM_F_MATCH = 0x200, NLM_F_DUMP = 0x300;
    /** Modifiers to NEW requests. */
    public static final int NLM_F_REPLACE = 0x100, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400,
            NLM_F_APPEND = 0x800;
    /** Flags of an NLMSG_ERROR message. */
    public static final int NLM_F_CAPPED = 0x100, NLM_F_ACK_TLVS = 0x200;

    /** Splits a received datagram into its messages; stops at a truncated tail. */
    public static List<NlMessage> parseAll(ByteBuffer datagram) {
        ByteBuffer buf = datagram.duplicate().order(ByteOrder.nativeOrder());
        List<NlMessage> out = new ArrayList<>();
        int pos = buf.position();
        int end = buf.limit();
        while (end - pos >= HEADER_LEN) {
            int len = buf.getInt(pos);
            if (len < HEADER_LEN || len > end - pos) {
                break;
            }
            int type = Short.toUnsignedInt(buf.getShort(pos + 4));
            int flags = Short.toUnsignedInt(buf.getShort(pos + 6));
            int seq = buf.getInt(pos + 8);
            int pid = buf.getInt(pos + 12);
            ByteBuffer payload = buf.slice(pos + HEADER_LEN, len - HEADER_LEN)
                    .order(ByteOrder.nativeOrder()).asReadOnlyBuffer().order(ByteOrder.nativeOrder());
            out.add(new NlMessage(type, flags, seq, pid, payload));
            pos += NlAttrs.align(len);
        }
        return out;
    }

    /** The attributes that follow a fixed family header of {@code headerLen} bytes. */
    public NlAttrs attrs(int headerLen) {
        return NlAttrs.parse(payload, NlAttrs.align(headerLen));
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }
}
