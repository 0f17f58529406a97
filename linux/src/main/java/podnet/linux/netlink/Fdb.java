package podnet.linux.netlink;

import java.net.InetAddress;
import java.nio.ByteBuffer;
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

/** The bridge forwarding database (MAC learning table), like {@code bridge fdb} / {@code brctl showmacs}. */
public final class Fdb {
    private final NetlinkHandle handle;

    Fdb(NetlinkHandle handle) {
        this.handle = handle;
    }

    /** Every entry of every bridge and port (AF_BRIDGE neighbours). */
    public List<FdbEntry> list() {
        var req = Neighbours.ndmsg(Rtm.GETNEIGH, 0, Sockets.AF_BRIDGE, 0, 0, 0);
        List<FdbEntry> out = new ArrayList<>();
        for (NlMessage m : handle.dump(req, "list fdb")) {
            if (m.type() != Rtm.NEWNEIGH) {
                continue;
            }
            FdbEntry e = parse(m);
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    /** An AF_BRIDGE RTM_NEWNEIGH/DELNEIGH as an entry; null for other families or no MAC. */
    static FdbEntry parse(NlMessage m) {
        if (Byte.toUnsignedInt(m.payload().get(0)) != Sockets.AF_BRIDGE) {
            return null;
        }
        var p = m.payload();
        NlAttrs a = m.attrs(12);
        byte[] ll = a.bytes(Neighbours.NDA_LLADDR);
        if (ll == null || ll.length != 6) {
            return null;
        }
        int state = Short.toUnsignedInt(p.getShort(8));
        int flags = Byte.toUnsignedInt(p.get(10));
        // struct nda_cacheinfo { u32 confirmed, used, updated, refcnt } in USER_HZ (1/100 s).
        ByteBuffer ci = a.get(Neighbours.NDA_CACHEINFO);
        long updated = ci != null && ci.remaining() >= 12 ? Integer.toUnsignedLong(ci.getInt(8)) : 0;
        Integer vlan = a.u16(Neighbours.NDA_VLAN);
        return new FdbEntry(p.getInt(4), a.u32(Neighbours.NDA_MASTER, 0),
                new podnet.linux.inet.MacAddress(ll), vlan == null ? 0 : vlan, state, flags,
                (state & Neighbour.NUD_PERMANENT) != 0, updated);
    }

    /** The entries of tunnel device {@code index} that have a remote destination (NDA_DST). */
    public List<RemoteFdbEntry> listRemote(int index) {
        var req = Neighbours.ndmsg(Rtm.GETNEIGH, 0, Sockets.AF_BRIDGE, 0, 0, 0);
        List<RemoteFdbEntry> out = new ArrayList<>();
        for (NlMessage m : handle.dump(req, "list fdb")) {
            var p = m.payload();
            if (m.type() != Rtm.NEWNEIGH || Byte.toUnsignedInt(p.get(0)) != Sockets.AF_BRIDGE || p.getInt(4) != index) {
                continue;
            }
            NlAttrs a = m.attrs(12);
            byte[] ll = a.bytes(Neighbours.NDA_LLADDR);
            InetAddress dst = a.address(Neighbours.NDA_DST);
            if (ll == null || ll.length != 6 || dst == null) {
                continue;
            }
            out.add(new RemoteFdbEntry(index, new MacAddress(ll), dst, Short.toUnsignedInt(p.getShort(8)),
                    Byte.toUnsignedInt(p.get(10))));
        }
        return out;
    }

    /**
     * A change: {@code bridge fdb replace MAC dev #INDEX dst DST self permanent}, as flannel
     * programs its VXLAN peers (one destination per MAC; a new one replaces the old).
     */
    public static Change remote(int index, MacAddress mac, InetAddress dst) {
        NlRequest req = Neighbours.ndmsg(Rtm.NEWNEIGH, NlMessage.NLM_F_CREATE | NlMessage.NLM_F_REPLACE,
                Sockets.AF_BRIDGE, index, Neighbour.NUD_PERMANENT, FdbEntry.NTF_SELF);
        req.attr(Neighbours.NDA_LLADDR, mac.bytes()).attrAddress(Neighbours.NDA_DST, dst);
        return new Change(req, "fdb replace " + mac + " dev #" + index + " dst " + Cidr.text(dst) + " self permanent",
                Set.of());
    }

    /** A change: no entry {@code mac} → {@code dst} on tunnel device {@code index} (already gone is fine). */
    public static Change remoteRemoval(int index, MacAddress mac, InetAddress dst) {
        NlRequest req = Neighbours.ndmsg(Rtm.DELNEIGH, 0, Sockets.AF_BRIDGE, index, 0, FdbEntry.NTF_SELF);
        req.attr(Neighbours.NDA_LLADDR, mac.bytes()).attrAddress(Neighbours.NDA_DST, dst);
        return new Change(req, "fdb del " + mac + " dev #" + index + " dst " + Cidr.text(dst) + " self",
                Set.of(Errno.ENOENT));
    }

    /** The entries of one bridge, including those reported by its ports with the bridge as master. */
    public List<FdbEntry> list(String bridge) {
        int index = handle.links().require(bridge).index();
        return list().stream().filter(e -> e.masterIndex() == index).toList();
    }
}
