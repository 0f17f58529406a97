package podnet.linux.netlink;

import java.util.OptionalInt;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.NlRequest;
import podnet.linux.sys.Sockets;

/**
 * Whether the handle's namespace forwards a family on all its devices, read with
 * RTM_GETNETCONF: {@code net.ipv4.ip_forward} and {@code net.ipv6.conf.all.forwarding} without
 * a /proc/sys path walk. (Writing them stays a sysctl: the kernel takes no netconf changes.)
 */
public final class Forwarding {
    static final int RTM_NEWNETCONF = 80, RTM_GETNETCONF = 82;
    static final int NETCONFA_IFINDEX = 1, NETCONFA_FORWARDING = 2, NETCONFA_IFINDEX_ALL = -1;

    private final NetlinkHandle handle;

    Forwarding(NetlinkHandle handle) {
        this.handle = handle;
    }

    /** The family's "all" forwarding value (0 or 1; IPv6 may say 2); empty if not reported. */
    public OptionalInt get(int family) {
        if (family != Sockets.AF_INET && family != Sockets.AF_INET6) {
            throw new IllegalArgumentException("family " + family + " is neither AF_INET nor AF_INET6");
        }
        NlRequest req = new NlRequest(RTM_GETNETCONF, 0).u8(family).alignHeader()
                .attrU32(NETCONFA_IFINDEX, NETCONFA_IFINDEX_ALL);
        for (NlMessage m : handle.request(req, "get netconf " + (family == Sockets.AF_INET ? "ipv4" : "ipv6") + " all")) {
            if (m.type() == RTM_NEWNETCONF) {
                Integer v = m.attrs(1).u32(NETCONFA_FORWARDING);
                return v == null ? OptionalInt.empty() : OptionalInt.of(v);
            }
        }
        return OptionalInt.empty();
    }
}
