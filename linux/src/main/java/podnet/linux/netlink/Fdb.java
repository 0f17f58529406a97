package podnet.linux.netlink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import podnet.linux.netlink.nl.NlAttrs;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.Rtm;
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

    /** The entries of one bridge, including those reported by its ports with the bridge as master. */
    public List<FdbEntry> list(String bridge) {
        int index = handle.links().require(bridge).index();
        return list().stream().filter(e -> e.masterIndex() == index).toList();
    }
}
