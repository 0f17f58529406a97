package podnet.linux.netlink;

import static podnet.linux.netlink.nl.NlMessage.NLM_F_CREATE;
import static podnet.linux.netlink.nl.NlMessage.NLM_F_REPLACE;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;
import podnet.linux.netlink.nl.NlAttrs;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.NlRequest;
import podnet.linux.netlink.nl.Rtm;
import podnet.linux.sys.Errno;
import podnet.linux.sys.Sockets;

/** The ARP (IPv4) and neighbour-discovery (IPv6) tables. */
public final class Neighbours {
    static final int NDA_DST = 1, NDA_LLADDR = 2, NDA_CACHEINFO = 3, NDA_VLAN = 5, NDA_MASTER = 9;

    private final NetlinkHandle handle;

    Neighbours(NetlinkHandle handle) {
        this.handle = handle;
    }

    /** Entries of {@code family}: AF_INET, AF_INET6, or 0 for both. */
    public List<Neighbour> list(int family) {
        List<Neighbour> out = new ArrayList<>();
        for (NlMessage m : handle.dump(ndmsg(Rtm.GETNEIGH, 0, family, 0, 0, 0), "list neighbours")) {
            if (m.type() != Rtm.NEWNEIGH) {
                continue;
            }
            Neighbour n = parse(m);
            if (n != null) {
                out.add(n);
            }
        }
        return out;
    }

    /** An RTM_NEWNEIGH/DELNEIGH of the ARP or ND table; null for other families (the FDB). */
    static Neighbour parse(NlMessage m) {
        int fam = Byte.toUnsignedInt(m.payload().get(0));
        if (fam != Sockets.AF_INET && fam != Sockets.AF_INET6) {
            return null;
        }
        var p = m.payload();
        NlAttrs a = m.attrs(12);
        byte[] ll = a.bytes(NDA_LLADDR);
        return new Neighbour(p.getInt(4), a.address(NDA_DST),
                ll != null && ll.length == 6 ? new MacAddress(ll) : null,
                Short.toUnsignedInt(p.getShort(8)), Byte.toUnsignedInt(p.get(10)));
    }

    /** A permanent entry {@code ip} → {@code mac} on {@code link} (ip neigh replace ... nud permanent). */
    public void replacePermanent(String link, InetAddress ip, MacAddress mac) {
        int index = handle.links().require(link).index();
        int family = ip.getAddress().length == 4 ? Sockets.AF_INET : Sockets.AF_INET6;
        NlRequest req = ndmsg(Rtm.NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, family, index,
                Neighbour.NUD_PERMANENT, 0);
        req.attrAddress(NDA_DST, ip).attr(NDA_LLADDR, mac.bytes());
        handle.request(req, "replace neighbour " + Cidr.text(ip) + " dev " + link);
    }

    public void delete(String link, InetAddress ip) {
        int index = handle.links().require(link).index();
        int family = ip.getAddress().length == 4 ? Sockets.AF_INET : Sockets.AF_INET6;
        NlRequest req = ndmsg(Rtm.DELNEIGH, 0, family, index, 0, 0).attrAddress(NDA_DST, ip);
        handle.request(req, "delete neighbour " + Cidr.text(ip) + " dev " + link);
    }

    /** The entries on one link (by index), both families. */
    public List<Neighbour> list(int family, int linkIndex) {
        return list(family).stream().filter(n -> n.index() == linkIndex).toList();
    }

    /** A change: permanent entry {@code ip} → {@code mac} on link {@code index}, replacing what is there. */
    public static Change permanent(int index, InetAddress ip, MacAddress mac) {
        NlRequest req = ndmsg(Rtm.NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, family(ip), index,
                Neighbour.NUD_PERMANENT, 0);
        req.attrAddress(NDA_DST, ip).attr(NDA_LLADDR, mac.bytes());
        return new Change(req, "neighbour replace " + Cidr.text(ip) + " lladdr " + mac + " dev #" + index
                + " nud permanent", Set.of());
    }

    /** A change: no entry for {@code ip} on link {@code index} (none there already is fine). */
    public static Change removal(int index, InetAddress ip) {
        NlRequest req = ndmsg(Rtm.DELNEIGH, 0, family(ip), index, 0, 0).attrAddress(NDA_DST, ip);
        return new Change(req, "neighbour del " + Cidr.text(ip) + " dev #" + index, Set.of(Errno.ENOENT));
    }

    private static int family(InetAddress ip) {
        return ip.getAddress().length == 4 ? Sockets.AF_INET : Sockets.AF_INET6;
    }

    static NlRequest ndmsg(int type, int nlFlags, int family, int index, int state, int flags) {
        return new NlRequest(type, nlFlags).u8(family).u8(0).u16(0).u32(index).u16(state).u8(flags).u8(0);
    }
}
