package podnet.linux.netlink;

import static podnet.linux.netlink.nl.NlMessage.NLM_F_CREATE;
import static podnet.linux.netlink.nl.NlMessage.NLM_F_EXCL;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import podnet.linux.inet.MacAddress;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.nl.NlAttrs;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.NlRequest;
import podnet.linux.netlink.nl.Rtm;
import podnet.linux.ns.NamespaceTable;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;
import podnet.linux.sys.FileDescriptor;
import podnet.linux.sys.Sockets;

/** Links (network interfaces) in the handle's namespace: list, create, change, delete. */
public final class Links {
    static final int IFLA_ADDRESS = 1, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_LINK = 5,
            IFLA_MASTER = 10, IFLA_PROTINFO = 12, IFLA_OPERSTATE = 16, IFLA_LINKINFO = 18,
            IFLA_STATS64 = 23, IFLA_NET_NS_FD = 28, IFLA_PROMISCUITY = 30,
            IFLA_LINK_NETNSID = 37;
    static final int IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2, IFLA_INFO_SLAVE_KIND = 4,
            IFLA_INFO_SLAVE_DATA = 5;
    static final int VETH_INFO_PEER = 1;
    static final int IFLA_VXLAN_ID = 1, IFLA_VXLAN_LINK = 3, IFLA_VXLAN_LOCAL = 4,
            IFLA_VXLAN_LEARNING = 7, IFLA_VXLAN_PORT = 15, IFLA_VXLAN_LOCAL6 = 17;
    /** Linux's IFNAMSIZ minus the NUL. */
    public static final int MAX_NAME = 15;

    private final NetlinkHandle handle;

    Links(NetlinkHandle handle) {
        this.handle = handle;
    }

    // ---- reading ---------------------------------------------------------------------------

    public List<Link> list() {
        NlRequest req = Rtm.ifinfomsg(Rtm.GETLINK, 0, 0, 0, 0, 0);
        List<Link> out = new ArrayList<>();
        for (NlMessage m : handle.dump(req, "list links")) {
            if (m.type() == Rtm.NEWLINK) {
                out.add(parse(m));
            }
        }
        return out;
    }

    public Optional<Link> get(String name) {
        checkName(name);
        NlRequest req = Rtm.ifinfomsg(Rtm.GETLINK, 0, 0, 0, 0, 0).attrString(IFLA_IFNAME, name);
        return getOne(req, "get link " + name);
    }

    public Optional<Link> get(int index) {
        NlRequest req = Rtm.ifinfomsg(Rtm.GETLINK, 0, 0, index, 0, 0);
        return getOne(req, "get link #" + index);
    }

    /** The link named {@code name}, or an ENODEV error that says where it was looked for. */
    public Link require(String name) {
        return get(name).orElseThrow(() -> new NetlinkException(
                "link " + name + " not found" + handle.where(), Errno.ENODEV, null));
    }

    public Link require(int index) {
        return get(index).orElseThrow(() -> new NetlinkException(
                "link #" + index + " not found" + handle.where(), Errno.ENODEV, null));
    }

    private Optional<Link> getOne(NlRequest req, String what) {
        try {
            for (NlMessage m : handle.request(req, what)) {
                if (m.type() == Rtm.NEWLINK) {
                    return Optional.of(parse(m));
                }
            }
            return Optional.empty();
        } catch (NetlinkException e) {
            if (e.is(Errno.ENODEV)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    static Link parse(NlMessage m) {
        var p = m.payload();
        int index = p.getInt(4);
        int flags = p.getInt(8);
        NlAttrs a = m.attrs(Rtm.IFINFOMSG_LEN);
        NlAttrs info = a.nested(IFLA_LINKINFO);
        String kind = info.string(IFLA_INFO_KIND);
        String slaveKind = info.string(IFLA_INFO_SLAVE_KIND);
        byte[] mac = a.bytes(IFLA_ADDRESS);
        BridgePort port = "bridge".equals(slaveKind) ? BridgePort.parse(info.nested(IFLA_INFO_SLAVE_DATA)) : null;
        BridgeInfo bridge = "bridge".equals(kind) ? BridgeInfo.parse(info.nested(IFLA_INFO_DATA)) : null;
        Integer linkNetnsId = a.u32(IFLA_LINK_NETNSID);
        return new Link(index, a.string(IFLA_IFNAME), kind, flags,
                a.u8(IFLA_OPERSTATE) == null ? 0 : a.u8(IFLA_OPERSTATE), a.u32(IFLA_MTU, 0),
                mac != null && mac.length == 6 ? new MacAddress(mac) : null,
                a.u32(IFLA_MASTER, 0), a.u32(IFLA_LINK, 0),
                linkNetnsId == null || linkNetnsId < 0 ? null : linkNetnsId,
                a.u32(IFLA_PROMISCUITY, 0), slaveKind, LinkStats.parse(a.get(IFLA_STATS64)), port, bridge,
                InetConf.parse(a.nested(IFLA_AF_SPEC)));
    }

    // ---- creating --------------------------------------------------------------------------

    /**
     * Creates a veth pair: {@code name} here and {@code peerName} directly inside
     * {@code peerNetns} (no move afterwards, so the peer never appears in this namespace). Pass
     * the handle's own netns for both ends here; {@link Netns#CURRENT} is the caller's netns.
     * {@code mtu} 0 keeps the kernel's default.
     */
    public Link addVeth(String name, String peerName, Netns peerNetns, int mtu) {
        checkName(name);
        checkName(peerName);
        FileDescriptor peerFd = openNetns(peerNetns);
        try {
            NlRequest req = Rtm.ifinfomsg(Rtm.NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0, 0);
            req.attrString(IFLA_IFNAME, name);
            if (mtu > 0) {
                req.attrU32(IFLA_MTU, mtu);
            }
            int info = req.beginNested(IFLA_LINKINFO);
            req.attrString(IFLA_INFO_KIND, "veth");
            int data = req.beginNested(IFLA_INFO_DATA);
            // VETH_INFO_PEER holds a whole struct ifinfomsg followed by the peer's attributes.
            int peer = req.beginRaw(VETH_INFO_PEER);
            req.u8(0).u8(0).u16(0).u32(0).u32(0).u32(0);
            req.attrString(IFLA_IFNAME, peerName);
            if (mtu > 0) {
                req.attrU32(IFLA_MTU, mtu);
            }
            if (peerFd != null) {
                req.attrU32(IFLA_NET_NS_FD, peerFd.fd());
            }
            req.endNested(peer);
            req.endNested(data);
            req.endNested(info);
            handle.request(req, "add veth " + name + " (peer " + peerName
                    + (peerFd != null ? " in " + peerNetns : "") + ")");
        } finally {
            if (peerFd != null) {
                peerFd.close();
            }
        }
        return require(name);
    }

    /** Creates a bridge. {@code mtu} 0 keeps the default; VLAN filtering off unless asked for. */
    public Link addBridge(String name, int mtu, boolean vlanFiltering) {
        return add(name, "bridge", mtu, req -> {
            if (vlanFiltering) {
                req.attrU8(BridgeInfo.IFLA_BR_VLAN_FILTERING, 1);
            }
        });
    }

    /** Creates a VXLAN device with the given VNI and UDP port, optionally over {@code parent}. */
    public Link addVxlan(String name, int vni, int port, String parent, InetAddress local) {
        Integer parentIndex = parent == null ? null : require(parent).index();
        return add(name, "vxlan", 0, req -> {
            req.attrU32(IFLA_VXLAN_ID, vni);
            if (parentIndex != null) {
                req.attrU32(IFLA_VXLAN_LINK, parentIndex);
            }
            if (local != null) {
                req.attrAddress(local.getAddress().length == 4 ? IFLA_VXLAN_LOCAL : IFLA_VXLAN_LOCAL6, local);
            }
            req.attrBe16(IFLA_VXLAN_PORT, port);
        });
    }

    /**
     * Creates a VXLAN device with every setting flannel gives {@code flannel.1}: VNI, port,
     * parent link, local address, learning, MTU ({@code mtu} 0: the kernel's) and MAC
     * ({@code mac} null: a random one). The device is left down.
     */
    public Link addVxlan(String name, Vxlan vxlan, int mtu, MacAddress mac) {
        checkName(name);
        NlRequest req = Rtm.ifinfomsg(Rtm.NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0, 0);
        req.attrString(IFLA_IFNAME, name);
        if (mtu > 0) {
            req.attrU32(IFLA_MTU, mtu);
        }
        if (mac != null) {
            req.attr(IFLA_ADDRESS, mac.bytes());
        }
        int info = req.beginNested(IFLA_LINKINFO);
        req.attrString(IFLA_INFO_KIND, "vxlan");
        int d = req.beginNested(IFLA_INFO_DATA);
        req.attrU32(IFLA_VXLAN_ID, vxlan.vni());
        if (vxlan.parentIndex() != 0) {
            req.attrU32(IFLA_VXLAN_LINK, vxlan.parentIndex());
        }
        if (vxlan.local() != null) {
            req.attrAddress(vxlan.local().getAddress().length == 4 ? IFLA_VXLAN_LOCAL : IFLA_VXLAN_LOCAL6,
                    vxlan.local());
        }
        req.attrU8(IFLA_VXLAN_LEARNING, vxlan.learning() ? 1 : 0);
        req.attrBe16(IFLA_VXLAN_PORT, vxlan.port());
        req.endNested(d);
        req.endNested(info);
        handle.request(req, "add vxlan " + name + " (id " + vxlan.vni() + " dstport " + vxlan.port() + ")");
        return require(name);
    }

    /** The tunnel settings of VXLAN device {@code name}; empty if there is no such link or it is no VXLAN. */
    public Optional<Vxlan> vxlan(String name) {
        checkName(name);
        NlRequest req = Rtm.ifinfomsg(Rtm.GETLINK, 0, 0, 0, 0, 0).attrString(IFLA_IFNAME, name);
        try {
            for (NlMessage m : handle.request(req, "get link " + name)) {
                if (m.type() == Rtm.NEWLINK) {
                    return parseVxlan(m);
                }
            }
            return Optional.empty();
        } catch (NetlinkException e) {
            if (e.is(Errno.ENODEV)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    static Optional<Vxlan> parseVxlan(NlMessage m) {
        NlAttrs info = m.attrs(Rtm.IFINFOMSG_LEN).nested(IFLA_LINKINFO);
        if (!"vxlan".equals(info.string(IFLA_INFO_KIND))) {
            return Optional.empty();
        }
        NlAttrs d = info.nested(IFLA_INFO_DATA);
        InetAddress local = d.address(IFLA_VXLAN_LOCAL);
        Integer port = d.be16(IFLA_VXLAN_PORT);
        Integer learning = d.u8(IFLA_VXLAN_LEARNING);
        return Optional.of(new Vxlan(d.u32(IFLA_VXLAN_ID, 0), port == null ? 0 : port, d.u32(IFLA_VXLAN_LINK, 0),
                local != null ? local : d.address(IFLA_VXLAN_LOCAL6), learning != null && learning != 0));
    }

    /** A dummy device (absent from some kernels: then ENOTSUPP/"Unknown device type"). */
    public Link addDummy(String name) {
        return add(name, "dummy", 0, null);
    }

    /** An ifb device: a harmless spare link where dummy is not built in. */
    public Link addIfb(String name) {
        return add(name, "ifb", 0, null);
    }

    /** Creates a link of {@code kind}; {@code data} writes its IFLA_INFO_DATA (may be null). */
    public Link add(String name, String kind, int mtu, Consumer<NlRequest> data) {
        checkName(name);
        NlRequest req = Rtm.ifinfomsg(Rtm.NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0, 0);
        req.attrString(IFLA_IFNAME, name);
        if (mtu > 0) {
            req.attrU32(IFLA_MTU, mtu);
        }
        int info = req.beginNested(IFLA_LINKINFO);
        req.attrString(IFLA_INFO_KIND, kind);
        if (data != null) {
            int d = req.beginNested(IFLA_INFO_DATA);
            data.accept(req);
            req.endNested(d);
        }
        req.endNested(info);
        handle.request(req, "add " + kind + " " + name);
        return require(name);
    }

    // ---- changing --------------------------------------------------------------------------

    public void delete(String name) {
        delete(require(name).index(), name);
    }

    public void delete(int index) {
        delete(index, "#" + index);
    }

    private void delete(int index, String label) {
        handle.request(Rtm.ifinfomsg(Rtm.DELLINK, 0, 0, index, 0, 0), "delete link " + label);
    }

    /**
     * Deletes link {@code index}, sharing the kernel's work with other deletions in this
     * namespace at the same moment, and returns once the link is gone from the namespace (the
     * kernel may still be freeing it: see {@link LinkReaper}). A missing link is fine. Works
     * for a handle of the calling thread's own namespace, whose sockets it opens on this
     * thread; with any other handle it is a plain {@link #delete(int)}.
     */
    public void deleteCoalesced(int index) {
        if (!inCallersNamespace()) {
            try {
                delete(index);
            } catch (NetlinkException e) {
                if (!e.is(Errno.ENODEV)) {
                    throw e;
                }
            }
            return;
        }
        LinkReaper.delete(index);
    }

    private boolean inCallersNamespace() {
        Netns ns = handle.netns();
        return ns.isCurrent() || NamespaceTable.inode(ns.path())
                == NamespaceTable.inode(Path.of("/proc/thread-self/ns/net"));
    }

    /** Deletes the link if it exists; returns whether it did. */
    public boolean deleteIfExists(String name) {
        Optional<Link> l = get(name);
        if (l.isEmpty()) {
            return false;
        }
        try {
            delete(l.get().index(), name);
            return true;
        } catch (NetlinkException e) {
            if (e.is(Errno.ENODEV)) {
                return false;
            }
            throw e;
        }
    }

    public void setUp(String name) {
        setFlags(name, Rtm.IFF_UP, Rtm.IFF_UP);
    }

    public void setDown(String name) {
        setFlags(name, 0, Rtm.IFF_UP);
    }

    public void setPromisc(String name, boolean on) {
        setFlags(name, on ? Rtm.IFF_PROMISC : 0, Rtm.IFF_PROMISC);
    }

    private void setFlags(String name, int flags, int change) {
        int index = require(name).index();
        handle.request(Rtm.ifinfomsg(Rtm.NEWLINK, 0, 0, index, flags, change),
                "set link " + name + ((change & Rtm.IFF_UP) != 0 ? ((flags & Rtm.IFF_UP) != 0 ? " up" : " down") : " flags"));
    }

    public void setMtu(String name, int mtu) {
        set(name, "mtu " + mtu, r -> r.attrU32(IFLA_MTU, mtu));
    }

    public void setMac(String name, MacAddress mac) {
        set(name, "address " + mac, r -> r.attr(IFLA_ADDRESS, mac.bytes()));
    }

    public void rename(String name, String newName) {
        checkName(newName);
        set(name, "name " + newName, r -> r.attrString(IFLA_IFNAME, newName));
    }

    /** Makes {@code name} a port of {@code master} (a bridge). */
    public void setMaster(String name, String master) {
        int masterIndex = require(master).index();
        set(name, "master " + master, r -> r.attrU32(IFLA_MASTER, masterIndex));
    }

    public void setNoMaster(String name) {
        set(name, "nomaster", r -> r.attrU32(IFLA_MASTER, 0));
    }

    /** Moves the link into {@code target}; it disappears from this namespace. */
    public void moveTo(String name, Netns target) {
        FileDescriptor fd = openNetns(target);
        if (fd == null) {
            return; // already there
        }
        try (fd) {
            set(name, "netns " + target.label(), r -> r.attrU32(IFLA_NET_NS_FD, fd.fd()));
        }
    }

    /**
     * A descriptor for IFLA_NET_NS_FD, or null when {@code target} is where this handle works
     * anyway. {@link Netns#CURRENT} means the calling thread's namespace, which is not the
     * handle's when the handle was opened elsewhere: a handle on a pod's netns can create a veth
     * whose peer lands next to the caller, as the CNI bridge plugin does.
     */
    private FileDescriptor openNetns(Netns target) {
        if (target.equals(handle.netns())) {
            return null;
        }
        return FileDescriptor.openReadOnly(target.isCurrent() ? Path.of("/proc/thread-self/ns/net") : target.path());
    }

    private void set(String name, String what, Consumer<NlRequest> attrs) {
        int index = require(name).index();
        NlRequest req = Rtm.ifinfomsg(Rtm.NEWLINK, 0, 0, index, 0, 0);
        attrs.accept(req);
        handle.request(req, "set link " + name + " " + what);
    }

    /** Changes a bridge port's hairpin, learning and isolation flags. */
    public void setBridgePort(String name, BridgePort.Change change) {
        int index = require(name).index();
        NlRequest req = Rtm.ifinfomsg(Rtm.SETLINK, 0, Sockets.AF_BRIDGE, index, 0, 0);
        int p = req.beginNested(IFLA_PROTINFO);
        if (change.hairpin() != null) {
            req.attrU8(BridgePort.IFLA_BRPORT_MODE, change.hairpin() ? 1 : 0);
        }
        if (change.learning() != null) {
            req.attrU8(BridgePort.IFLA_BRPORT_LEARNING, change.learning() ? 1 : 0);
        }
        if (change.isolated() != null) {
            req.attrU8(BridgePort.IFLA_BRPORT_ISOLATED, change.isolated() ? 1 : 0);
        }
        req.endNested(p);
        handle.request(req, "set bridge port " + name);
    }

    static final int IFLA_AF_SPEC = 26, IFLA_BRIDGE_VLAN_INFO = 2;
    public static final int BRIDGE_VLAN_INFO_PVID = 2, BRIDGE_VLAN_INFO_UNTAGGED = 4;

    /** Turns VLAN filtering on or off on an existing bridge. */
    public void setBridgeVlanFiltering(String bridge, boolean on) {
        int index = require(bridge).index();
        NlRequest req = Rtm.ifinfomsg(Rtm.NEWLINK, 0, 0, index, 0, 0);
        int info = req.beginNested(IFLA_LINKINFO);
        req.attrString(IFLA_INFO_KIND, "bridge");
        int d = req.beginNested(IFLA_INFO_DATA);
        req.attrU8(BridgeInfo.IFLA_BR_VLAN_FILTERING, on ? 1 : 0);
        req.endNested(d);
        req.endNested(info);
        handle.socket().request(req, "set bridge " + bridge + " vlan_filtering " + (on ? 1 : 0));
    }

    /** {@code bridge vlan add dev PORT vid VID [pvid] [untagged]} (flags: BRIDGE_VLAN_INFO_*). */
    public void bridgeVlanAdd(String port, int vid, int flags) {
        bridgeVlan(Rtm.SETLINK, port, vid, flags, "add");
    }

    /** {@code bridge vlan del dev PORT vid VID}. */
    public void bridgeVlanDel(String port, int vid) {
        bridgeVlan(Rtm.DELLINK, port, vid, 0, "del");
    }

    private void bridgeVlan(int type, String port, int vid, int flags, String what) {
        if (vid < 1 || vid > 4094) {
            throw new IllegalArgumentException("VLAN id " + vid + " out of range 1-4094");
        }
        int index = require(port).index();
        NlRequest req = Rtm.ifinfomsg(type, 0, Sockets.AF_BRIDGE, index, 0, 0);
        int spec = req.beginNested(IFLA_AF_SPEC);
        req.attr(IFLA_BRIDGE_VLAN_INFO, new byte[] {(byte) flags, (byte) (flags >> 8), (byte) vid, (byte) (vid >> 8)});
        req.endNested(spec);
        handle.socket().request(req, "bridge vlan " + what + " dev " + port + " vid " + vid);
    }

    static void checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME || name.equals(".")
                || name.equals("..") || name.chars().anyMatch(c -> c == '/' || c == ':' || c <= ' ')) {
            throw new IllegalArgumentException("invalid interface name \"" + name
                    + "\": 1-15 characters, no '/', ':' or whitespace");
        }
    }
}
