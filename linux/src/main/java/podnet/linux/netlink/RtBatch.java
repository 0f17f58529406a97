package podnet.linux.netlink;

import static podnet.linux.netlink.nl.NlMessage.NLM_F_CREATE;
import static podnet.linux.netlink.nl.NlMessage.NLM_F_ECHO;
import static podnet.linux.netlink.nl.NlMessage.NLM_F_EXCL;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.nl.NetlinkSocket;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.NlRequest;
import podnet.linux.netlink.nl.Rtm;
import podnet.linux.sys.FileDescriptor;
import podnet.linux.sys.Sockets;

/**
 * Several rtnetlink requests sent in one datagram, on one handle: one round trip instead of one
 * per change. The kernel runs them in order, each seeing the effect of those before it (a
 * port's hairpin after the veth that became the port), and answers each; a refused request
 * does not stop the later ones, and {@link #send} throws the first refusal once all answered.
 * Steps that name links by index avoid the name lookups the one-request-at-a-time methods of
 * {@link Links} make. Not thread-safe; one use.
 */
public final class RtBatch {
    static final int IFLA_GROUP = 27;

    private final NetlinkHandle handle;
    private final List<NlRequest> requests = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final List<Boolean> returnsLink = new ArrayList<>();
    private final List<String> linkNames = new ArrayList<>();
    private final List<Boolean> optional = new ArrayList<>();
    private final List<FileDescriptor> fds = new ArrayList<>();
    private int failedStep = -1;

    RtBatch(NetlinkHandle handle) {
        this.handle = handle;
    }

    private RtBatch add(NlRequest req, String what, boolean link, String linkName) {
        requests.add(req);
        names.add(what + handle.where());
        returnsLink.add(link);
        linkNames.add(linkName);
        optional.add(false);
        return this;
    }

    /** The step added last is best effort: its refusal does not make {@link #send} throw. */
    public RtBatch optional() {
        if (requests.isEmpty()) {
            throw new IllegalStateException("no step to make optional");
        }
        optional.set(optional.size() - 1, true);
        return this;
    }

    /**
     * Creates the pair of {@code v}; {@link #send} returns the new link here (the kernel's
     * NLM_F_ECHO), whose {@link Link#linkIndex} is the peer's index in its namespace.
     */
    public RtBatch addVeth(VethSpec v) {
        FileDescriptor peerFd = null;
        if (!v.peerNetns().equals(handle.netns())) {
            peerFd = FileDescriptor.openReadOnly(v.peerNetns().isCurrent()
                    ? Path.of("/proc/thread-self/ns/net") : v.peerNetns().path());
            fds.add(peerFd);
        }
        NlRequest req = Rtm.ifinfomsg(Rtm.NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, 0, 0,
                v.up() ? Rtm.IFF_UP : 0, v.up() ? Rtm.IFF_UP : 0);
        req.attrString(Links.IFLA_IFNAME, v.name());
        if (v.mtu() > 0) {
            req.attrU32(Links.IFLA_MTU, v.mtu());
        }
        if (v.masterIndex() > 0) {
            req.attrU32(Links.IFLA_MASTER, v.masterIndex());
        }
        int info = req.beginNested(Links.IFLA_LINKINFO);
        req.attrString(Links.IFLA_INFO_KIND, "veth");
        int data = req.beginNested(Links.IFLA_INFO_DATA);
        // VETH_INFO_PEER holds a whole struct ifinfomsg followed by the peer's attributes.
        int peer = req.beginRaw(Links.VETH_INFO_PEER);
        req.u8(0).u8(0).u16(0).u32(0).u32(0).u32(0);
        req.attrString(Links.IFLA_IFNAME, v.peerName());
        if (v.mtu() > 0) {
            req.attrU32(Links.IFLA_MTU, v.mtu());
        }
        if (v.peerMac() != null) {
            req.attr(Links.IFLA_ADDRESS, v.peerMac().bytes());
        }
        if (peerFd != null) {
            req.attrU32(Links.IFLA_NET_NS_FD, peerFd.fd());
        }
        req.endNested(peer);
        req.endNested(data);
        req.endNested(info);
        return add(req, "add veth " + v.name() + " (peer " + v.peerName()
                + (peerFd != null ? " in " + v.peerNetns() : "") + ")", true, v.name());
    }

    public RtBatch setLink(int index, LinkChange c) {
        return add(change(Rtm.ifinfomsg(Rtm.NEWLINK, 0, 0, index, flags(c), change(c)), c),
                "set link #" + index + describe(c), false, null);
    }

    /** {@link #setLink(int, LinkChange)} for a link known by name, e.g. one an earlier step creates. */
    public RtBatch setLink(String name, LinkChange c) {
        Links.checkName(name);
        NlRequest req = Rtm.ifinfomsg(Rtm.NEWLINK, 0, 0, 0, flags(c), change(c)).attrString(Links.IFLA_IFNAME, name);
        return add(change(req, c), "set link " + name + describe(c), false, null);
    }

    /**
     * A bridge port's hairpin, learning and isolation, for a link that is a port when this
     * step runs (an earlier step may make it one): IFLA_INFO_SLAVE_DATA, so by name.
     */
    public RtBatch setBridgePort(String name, BridgePort.Change c) {
        Links.checkName(name);
        NlRequest req = Rtm.ifinfomsg(Rtm.NEWLINK, 0, 0, 0, 0, 0).attrString(Links.IFLA_IFNAME, name);
        int info = req.beginNested(Links.IFLA_LINKINFO);
        req.attrString(Links.IFLA_INFO_SLAVE_KIND, "bridge");
        int data = req.beginNested(Links.IFLA_INFO_SLAVE_DATA);
        if (c.hairpin() != null) {
            req.attrU8(BridgePort.IFLA_BRPORT_MODE, c.hairpin() ? 1 : 0);
        }
        if (c.learning() != null) {
            req.attrU8(BridgePort.IFLA_BRPORT_LEARNING, c.learning() ? 1 : 0);
        }
        if (c.isolated() != null) {
            req.attrU8(BridgePort.IFLA_BRPORT_ISOLATED, c.isolated() ? 1 : 0);
        }
        req.endNested(data);
        req.endNested(info);
        return add(req, "set bridge port " + name, false, null);
    }

    /**
     * Sets {@code net.ipv4.conf.<link>.<key>} on link {@code index}, the key by its
     * IPV4_DEVCONF_* id ({@link InetConf}), through netlink (IFLA_AF_SPEC, AF_INET,
     * IFLA_INET_CONF): what a write to /proc/sys does, without its path walk. The kernel
     * applies IFLA_AF_SPEC after a message's flags, so a setting that must precede link up
     * goes in a step of its own before the one that sets it up.
     */
    public RtBatch setIpv4Conf(int index, int id, int value) {
        if (id < 1 || id > 0xff) {
            throw new IllegalArgumentException("IPV4_DEVCONF id " + id + " out of range");
        }
        NlRequest req = Rtm.ifinfomsg(Rtm.NEWLINK, 0, 0, index, 0, 0);
        int spec = req.beginNested(Links.IFLA_AF_SPEC);
        int inet = req.beginNested(Sockets.AF_INET);
        int conf = req.beginNested(InetConf.IFLA_INET_CONF);
        req.attrU32(id, value);
        req.endNested(conf);
        req.endNested(inet);
        req.endNested(spec);
        return add(req, "set link #" + index + " ipv4 devconf " + id + "=" + value, false, null);
    }

    /** Adds {@code cidr} to link {@code index} (EEXIST if it is there). */
    public RtBatch addAddress(int index, Cidr cidr) {
        return add(Addresses.request(Rtm.NEWADDR, NLM_F_CREATE | NLM_F_EXCL, index, cidr, 0),
                "add address " + cidr + " dev #" + index, false, null);
    }

    public RtBatch addRoute(Route r) {
        return add(Routes.request(Rtm.NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, r), "add route " + Routes.describe(r),
                false, null);
    }

    /** {@link #send} returns the link as it is when this step runs. */
    public RtBatch getLink(int index) {
        return add(Rtm.ifinfomsg(Rtm.GETLINK, 0, 0, index, 0, 0), "get link #" + index, true, null);
    }

    public RtBatch getLink(String name) {
        Links.checkName(name);
        return add(Rtm.ifinfomsg(Rtm.GETLINK, 0, 0, 0, 0, 0).attrString(Links.IFLA_IFNAME, name),
                "get link " + name, true, name);
    }

    public RtBatch deleteLink(int index) {
        return add(Rtm.ifinfomsg(Rtm.DELLINK, 0, 0, index, 0, 0), "delete link #" + index, false, null);
    }

    /** Deletes every link of {@code group} at once: the kernel unregisters them as one batch. */
    public RtBatch deleteGroup(int group) {
        return add(Rtm.ifinfomsg(Rtm.DELLINK, 0, 0, 0, 0, 0).attrU32(IFLA_GROUP, group), "delete link group " + group,
                false, null);
    }

    public int size() {
        return requests.size();
    }

    /** After {@link #send} threw: the index of the step that was refused (steps count from 0); else -1. */
    public int failedStep() {
        return failedStep;
    }

    /**
     * Sends every step in one datagram and waits for all answers. Returns the links the steps
     * that return one gave back (addVeth, getLink), in step order.
     *
     * @throws NetlinkException the first refused step
     */
    public List<Link> send() {
        try {
            List<NetlinkSocket.Outcome> outcomes = handle.socket().requestEach(requests, names);
            for (int i = 0; i < outcomes.size(); i++) {
                if (outcomes.get(i).error() != null && !optional.get(i)) {
                    failedStep = i;
                    throw outcomes.get(i).error();
                }
            }
            List<Link> out = new ArrayList<>();
            for (int i = 0; i < outcomes.size(); i++) {
                if (!returnsLink.get(i)) {
                    continue;
                }
                Link found = null;
                for (NlMessage m : outcomes.get(i).replies()) {
                    if (m.type() == Rtm.NEWLINK) {
                        Link l = Links.parse(m);
                        if (linkNames.get(i) == null || linkNames.get(i).equals(l.name())) {
                            found = l;
                            break;
                        }
                    }
                }
                if (found == null && linkNames.get(i) != null) {
                    found = handle.links().require(linkNames.get(i)); // a kernel that does not echo creations
                }
                out.add(found);
            }
            return out;
        } finally {
            for (FileDescriptor fd : fds) {
                fd.close();
            }
        }
    }

    private static int flags(LinkChange c) {
        return c.up() != null && c.up() ? Rtm.IFF_UP : 0;
    }

    private static int change(LinkChange c) {
        return c.up() != null ? Rtm.IFF_UP : 0;
    }

    private static NlRequest change(NlRequest req, LinkChange c) {
        if (c.masterIndex() != null) {
            req.attrU32(Links.IFLA_MASTER, c.masterIndex());
        }
        if (c.group() != null) {
            req.attrU32(IFLA_GROUP, c.group());
        }
        return req;
    }

    private static String describe(LinkChange c) {
        return (c.up() != null ? (c.up() ? " up" : " down") : "")
                + (c.masterIndex() != null ? " master #" + c.masterIndex() : "")
                + (c.group() != null ? " group " + c.group() : "");
    }
}
