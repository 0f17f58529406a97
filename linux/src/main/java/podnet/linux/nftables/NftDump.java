package podnet.linux.nftables;

import java.util.ArrayList;
import java.util.List;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.nl.NetlinkSocket;
import podnet.linux.netlink.nl.NlAttrs;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.NlRequest;
import podnet.linux.sys.Errno;

/** nf_tables dumps where a missing table, chain or set (ENOENT) just means there is nothing. */
final class NftDump {
    private NftDump() {}

    static List<NlMessage> orNone(NetlinkSocket socket, NlRequest dump, String what) {
        try {
            return socket.dump(dump, what);
        } catch (NetlinkException e) {
            if (e.is(Errno.ENOENT)) {
                return List.of();
            }
            throw e;
        }
    }

    /** The {@code nameAttr} of each object the dump lists for {@code table} (by {@code tableAttr}), in order. */
    static List<String> names(NetlinkSocket socket, NlRequest dump, int tableAttr, int nameAttr, String table, String what) {
        List<String> out = new ArrayList<>();
        for (NlMessage m : orNone(socket, dump, what)) {
            NlAttrs a = m.attrs(4);
            if (table.equals(a.string(tableAttr)) && a.string(nameAttr) != null) {
                out.add(a.string(nameAttr));
            }
        }
        return out;
    }
}
