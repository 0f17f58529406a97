package podnet.linux.netlink;

import java.util.List;
import podnet.linux.netlink.nl.NlAttrs;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.NlRequest;
import podnet.linux.netlink.nl.Rtm;
import podnet.linux.ns.Netns;
import podnet.linux.sys.FileDescriptor;

/**
 * Namespace ids (RTM_GETNSID/RTM_NEWNSID): the numbers by which this namespace refers to
 * others, e.g. in a veth's IFLA_LINK_NETNSID.
 */
public final class NsIds {
    static final int NETNSA_NSID = 1, NETNSA_FD = 3;
    public static final int NONE = -1;

    private final NetlinkHandle handle;

    NsIds(NetlinkHandle handle) {
        this.handle = handle;
    }

    /** The id this namespace has for {@code other}, or {@link #NONE} if none was assigned. */
    public int get(Netns other) {
        try (FileDescriptor fd = FileDescriptor.openReadOnly(other.path())) {
            NlRequest req = new NlRequest(Rtm.GETNSID, 0).u8(0).alignHeader().attrU32(NETNSA_FD, fd.fd());
            List<NlMessage> replies = handle.request(req, "get nsid of " + other);
            for (NlMessage m : replies) {
                if (m.type() == Rtm.NEWNSID) {
                    NlAttrs a = m.attrs(4);
                    return a.u32(NETNSA_NSID, NONE);
                }
            }
            return NONE;
        }
    }

    /** Assigns an id to {@code other} if it has none (ip netns set NAME auto); returns it. */
    public int assign(Netns other) {
        int id = get(other);
        if (id != NONE) {
            return id;
        }
        try (FileDescriptor fd = FileDescriptor.openReadOnly(other.path())) {
            NlRequest req = new NlRequest(Rtm.NEWNSID, 0).u8(0).alignHeader()
                    .attrU32(NETNSA_FD, fd.fd()).attrU32(NETNSA_NSID, NONE);
            handle.request(req, "assign nsid to " + other);
        }
        return get(other);
    }
}
