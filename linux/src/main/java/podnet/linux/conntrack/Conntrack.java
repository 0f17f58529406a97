package podnet.linux.conntrack;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.nl.NetlinkSocket;
import podnet.linux.netlink.nl.NlAttrs;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.NlRequest;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;

/**
 * The connection tracking table of one network namespace over ctnetlink (NFNL_SUBSYS_CTNETLINK,
 * no conntrack(8) process): list the IPv4 entries, delete one. Numbers from the kernel's
 * {@code include/uapi/linux/netfilter/nfnetlink_conntrack.h}.
 */
public final class Conntrack implements AutoCloseable {
    private static final int SUBSYS_CTNETLINK = 1;
    private static final int MSG_CT_NEW = 0, MSG_CT_GET = 1, MSG_CT_DELETE = 2;
    private static final int AF_INET = 2;
    private static final int CTA_TUPLE_ORIG = 1, CTA_ID = 12, CTA_ZONE = 18;
    private static final int CTA_TUPLE_IP = 1, CTA_TUPLE_PROTO = 2;
    private static final int CTA_IP_V4_SRC = 1, CTA_IP_V4_DST = 2;
    private static final int CTA_PROTO_NUM = 1, CTA_PROTO_SRC_PORT = 2, CTA_PROTO_DST_PORT = 3;

    private final NetlinkSocket socket;

    private Conntrack(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** A NETLINK_NETFILTER socket bound in {@code netns}. */
    public static Conntrack open(Netns netns) {
        return new Conntrack(netns.call(() -> NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER)));
    }

    private static NlRequest message(int msg, int flags) {
        return new NlRequest((SUBSYS_CTNETLINK << 8) | msg, flags).u8(AF_INET).u8(0).u8(0).u8(0).alignHeader();
    }

    /** Every IPv4 entry, as {@code conntrack -L -f ipv4} lists them. */
    public List<ConntrackEntry> list() {
        List<ConntrackEntry> out = new ArrayList<>();
        for (NlMessage m : socket.dump(message(MSG_CT_GET, 0), "conntrack -L")) {
            if (m.type() != ((SUBSYS_CTNETLINK << 8) | MSG_CT_NEW)) {
                continue;
            }
            ConntrackEntry e = parse(m.attrs(4));
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    static ConntrackEntry parse(NlAttrs a) {
        byte[] tuple = a.bytes(CTA_TUPLE_ORIG);
        if (tuple == null) {
            return null;
        }
        NlAttrs t = a.nested(CTA_TUPLE_ORIG);
        NlAttrs ip = t.nested(CTA_TUPLE_IP);
        NlAttrs proto = t.nested(CTA_TUPLE_PROTO);
        InetAddress src = ip.address(CTA_IP_V4_SRC), dst = ip.address(CTA_IP_V4_DST);
        Integer num = proto.u8(CTA_PROTO_NUM);
        if (src == null || dst == null || num == null) {
            return null;
        }
        Integer sport = proto.be16(CTA_PROTO_SRC_PORT), dport = proto.be16(CTA_PROTO_DST_PORT);
        ByteBuffer id = a.get(CTA_ID);
        Integer zone = a.be16(CTA_ZONE);
        return new ConntrackEntry(num, src, dst, sport == null ? 0 : sport, dport == null ? 0 : dport,
                id == null || id.remaining() < 4 ? 0 : id.order(ByteOrder.BIG_ENDIAN).getInt(0),
                zone == null ? 0 : zone, tuple);
    }

    /** Deletes the entry (the kernel then treats the flow's next packet as new); false when it was gone already. */
    public boolean delete(ConntrackEntry e) {
        NlRequest r = message(MSG_CT_DELETE, NlMessage.NLM_F_ACK).attr(CTA_TUPLE_ORIG | NlAttrs.NLA_F_NESTED, e.tuple());
        if (e.id() != 0) {
            r.attrBe32(CTA_ID, e.id());
        }
        if (e.zone() != 0) {
            r.attrBe16(CTA_ZONE, e.zone());
        }
        try {
            socket.request(r, "conntrack -D " + e);
            return true;
        } catch (NetlinkException ex) {
            if (ex.is(Errno.ENOENT)) {
                return false;
            }
            throw ex;
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
