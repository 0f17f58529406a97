package podnet.linux.netlink;

import static podnet.linux.netlink.nl.NlMessage.NLM_F_CREATE;
import static podnet.linux.netlink.nl.NlMessage.NLM_F_EXCL;
import static podnet.linux.netlink.nl.NlMessage.NLM_F_REPLACE;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.nl.NlAttrs;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.NlRequest;
import podnet.linux.netlink.nl.Rtm;
import podnet.linux.sys.Sockets;

/** IPv4 and IPv6 interface addresses. */
public final class Addresses {
    static final int IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_LABEL = 3, IFA_BROADCAST = 4, IFA_FLAGS = 8;
    public static final int FAMILY_ALL = 0;

    private final NetlinkHandle handle;

    Addresses(NetlinkHandle handle) {
        this.handle = handle;
    }

    /** All addresses of {@code family} (AF_INET, AF_INET6, or 0 for both). */
    public List<Address> list(int family) {
        NlRequest req = ifaddrmsg(Rtm.GETADDR, 0, family, 0, 0, 0);
        List<Address> out = new ArrayList<>();
        for (NlMessage m : handle.dump(req, "list addresses")) {
            if (m.type() == Rtm.NEWADDR) {
                out.add(parse(m));
            }
        }
        return out;
    }

    /** The addresses of one link. */
    public List<Address> list(String link, int family) {
        int index = handle.links().require(link).index();
        return list(family).stream().filter(a -> a.index() == index).toList();
    }

    /** Adds {@code cidr} to {@code link} (ip addr add); EEXIST if it is there already. */
    public void add(String link, Cidr cidr) {
        add(link, cidr, 0);
    }

    /** Adds with IFA_F_* flags, e.g. {@link Address#IFA_F_NODAD}. */
    public void add(String link, Cidr cidr, int flags) {
        write(Rtm.NEWADDR, NLM_F_CREATE | NLM_F_EXCL, link, cidr, flags, "add address " + cidr + " dev " + link);
    }

    /** Adds or updates (ip addr replace). */
    public void replace(String link, Cidr cidr) {
        write(Rtm.NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, link, cidr, 0, "replace address " + cidr + " dev " + link);
    }

    public void delete(String link, Cidr cidr) {
        write(Rtm.DELADDR, 0, link, cidr, 0, "delete address " + cidr + " dev " + link);
    }

    private void write(int type, int nlFlags, String link, Cidr cidr, int flags, String what) {
        int index = handle.links().require(link).index();
        handle.request(request(type, nlFlags, index, cidr, flags), what);
    }

    /** The RTM_NEWADDR/DELADDR message for {@code cidr} on link {@code index} (also sent in an {@link RtBatch}). */
    static NlRequest request(int type, int nlFlags, int index, Cidr cidr, int flags) {
        int family = cidr.isIpv4() ? Sockets.AF_INET : Sockets.AF_INET6;
        NlRequest req = ifaddrmsg(type, nlFlags, family, cidr.prefixLength(), flags & 0xff, index);
        req.attrAddress(IFA_LOCAL, cidr.address());
        req.attrAddress(IFA_ADDRESS, cidr.address());
        if (cidr.isIpv4() && cidr.prefixLength() < 31 && type == Rtm.NEWADDR) {
            req.attrAddress(IFA_BROADCAST, cidr.lastAddress()); // like `ip addr add ... brd +`
        }
        if (flags > 0xff) {
            req.attrU32(IFA_FLAGS, flags);
        }
        return req;
    }

    private static NlRequest ifaddrmsg(int type, int nlFlags, int family, int prefix, int flags, int index) {
        return new NlRequest(type, nlFlags).u8(family).u8(prefix).u8(flags).u8(0).u32(index);
    }

    static Address parse(NlMessage m) {
        var p = m.payload();
        int prefix = Byte.toUnsignedInt(p.get(1));
        int flags = Byte.toUnsignedInt(p.get(2));
        int scope = Byte.toUnsignedInt(p.get(3));
        int index = p.getInt(4);
        NlAttrs a = m.attrs(8);
        // IFA_LOCAL is the interface's own address on point-to-point links; else IFA_ADDRESS.
        InetAddress addr = a.address(IFA_LOCAL);
        if (addr == null) {
            addr = a.address(IFA_ADDRESS);
        }
        Integer longFlags = a.u32(IFA_FLAGS);
        return new Address(index, new Cidr(addr, prefix), scope, longFlags != null ? longFlags : flags,
                a.string(IFA_LABEL));
    }
}
