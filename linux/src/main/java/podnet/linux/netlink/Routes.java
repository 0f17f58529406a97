package podnet.linux.netlink;

import static podnet.linux.netlink.nl.NlMessage.NLM_F_CREATE;
import static podnet.linux.netlink.nl.NlMessage.NLM_F_EXCL;
import static podnet.linux.netlink.nl.NlMessage.NLM_F_REPLACE;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.nl.NlAttrs;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.NlRequest;
import podnet.linux.netlink.nl.Rtm;
import podnet.linux.sys.Errno;
import podnet.linux.sys.Sockets;

/** Routes: list (main table by default), add, replace, delete. */
public final class Routes {
    static final int RTA_DST = 1, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_PRIORITY = 6, RTA_PREFSRC = 7,
            RTA_METRICS = 8, RTA_TABLE = 15;
    static final int RTAX_MTU = 2;

    private final NetlinkHandle handle;

    Routes(NetlinkHandle handle) {
        this.handle = handle;
    }

    /** Routes of {@code family} (0 for both) in the main table, like {@code ip route show}. */
    public List<Route> list(int family) {
        return listTable(family, Route.TABLE_MAIN);
    }

    /** Routes of one table, or of every table when {@code table} is 0. */
    public List<Route> listTable(int family, int table) {
        NlRequest req = rtmsg(Rtm.GETROUTE, 0, family, 0, 0, 0, 0, 0);
        List<Route> out = new ArrayList<>();
        for (NlMessage m : handle.dump(req, "list routes")) {
            if (m.type() == Rtm.NEWROUTE) {
                Route r = parse(m);
                if (table == 0 || r.table() == table) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    public void add(Route r) {
        write(Rtm.NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, r, "add route ");
    }

    public void replace(Route r) {
        write(Rtm.NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, r, "replace route ");
    }

    public void delete(Route r) {
        write(Rtm.DELROUTE, 0, r, "delete route ");
    }

    private void write(int type, int flags, Route r, String what) {
        handle.request(request(type, flags, r), what + describe(r));
    }

    /** A change: {@code ip route replace ROUTE} (batched with others by {@link NetlinkHandle#applyEach}). */
    public static Change replacement(Route r) {
        return new Change(request(Rtm.NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, r), "route replace " + describe(r),
                Set.of());
    }

    /** A change: {@code ip route del ROUTE}; a route already gone is fine. */
    public static Change removal(Route r) {
        return new Change(request(Rtm.DELROUTE, 0, r), "route del " + describe(r), Set.of(Errno.ESRCH, Errno.ENOENT));
    }

    /**
     * {@code ip route get DST}: the route the kernel would pick, with the gateway and device it
     * would use (a connected destination has no gateway).
     */
    public Route get(InetAddress dst) {
        int family = dst.getAddress().length == 4 ? Sockets.AF_INET : Sockets.AF_INET6;
        NlRequest req = rtmsg(Rtm.GETROUTE, 0, family, dst.getAddress().length * 8, 0, 0, 0, 0)
                .attrAddress(RTA_DST, dst);
        for (NlMessage m : handle.request(req, "route get " + Cidr.text(dst))) {
            if (m.type() == Rtm.NEWROUTE) {
                return parse(m);
            }
        }
        throw new NetlinkException("route get " + Cidr.text(dst) + ": no answer" + handle.where(), Errno.EIO, null);
    }

    /** The RTM_NEWROUTE/DELROUTE message for {@code r} (also sent in an {@link RtBatch}). */
    static NlRequest request(int type, int flags, Route r) {
        int dstLen = r.destination() == null ? 0 : r.destination().prefixLength();
        boolean del = type == Rtm.DELROUTE;
        // Like iproute2: a delete matches any scope (RT_SCOPE_NOWHERE), protocol and type.
        NlRequest req = rtmsg(type, flags, r.family(), dstLen, r.table() < 256 ? r.table() : 252,
                del ? 0 : r.protocol(), del ? 255 : r.scope(), del ? 0 : r.type(), del ? 0 : r.flags());
        if (r.destination() != null) {
            req.attrAddress(RTA_DST, r.destination().network().address());
        }
        if (r.gateway() != null) {
            req.attrAddress(RTA_GATEWAY, r.gateway());
        }
        if (r.oif() != 0) {
            req.attrU32(RTA_OIF, r.oif());
        }
        if (r.priority() != 0) {
            req.attrU32(RTA_PRIORITY, r.priority());
        }
        if (r.prefSrc() != null) {
            req.attrAddress(RTA_PREFSRC, r.prefSrc());
        }
        if (r.table() >= 256) {
            req.attrU32(RTA_TABLE, r.table());
        }
        if (r.mtu() > 0) {
            int m = req.beginNested(RTA_METRICS);
            req.attrU32(RTAX_MTU, r.mtu());
            req.endNested(m);
        }
        return req;
    }

    static String describe(Route r) {
        return r.destinationText() + (r.gateway() != null ? " via " + Cidr.text(r.gateway()) : "")
                + (r.oif() != 0 ? " oif #" + r.oif() : "") + (r.isOnlink() ? " onlink" : "");
    }

    private static NlRequest rtmsg(int type, int flags, int family, int dstLen, int table,
            int protocol, int scope, int rtType) {
        return rtmsg(type, flags, family, dstLen, table, protocol, scope, rtType, 0);
    }

    private static NlRequest rtmsg(int type, int flags, int family, int dstLen, int table,
            int protocol, int scope, int rtType, int rtFlags) {
        return new NlRequest(type, flags).u8(family).u8(dstLen).u8(0).u8(0).u8(table)
                .u8(protocol).u8(scope).u8(rtType).u32(rtFlags);
    }

    static Route parse(NlMessage m) {
        var p = m.payload();
        int family = Byte.toUnsignedInt(p.get(0));
        int dstLen = Byte.toUnsignedInt(p.get(1));
        int table = Byte.toUnsignedInt(p.get(4));
        int protocol = Byte.toUnsignedInt(p.get(5));
        int scope = Byte.toUnsignedInt(p.get(6));
        int type = Byte.toUnsignedInt(p.get(7));
        NlAttrs a = m.attrs(12);
        Integer t = a.u32(RTA_TABLE);
        if (t != null) {
            table = t;
        }
        InetAddress dst = a.address(RTA_DST);
        Cidr destination = dst == null ? null : new Cidr(dst, dstLen);
        Integer mtu = a.nested(RTA_METRICS).u32(RTAX_MTU);
        return new Route(family, destination, a.address(RTA_GATEWAY), a.u32(RTA_OIF, 0), table,
                protocol, scope, type, a.u32(RTA_PRIORITY, 0), a.address(RTA_PREFSRC), mtu == null ? 0 : mtu,
                p.getInt(8));
    }
}
