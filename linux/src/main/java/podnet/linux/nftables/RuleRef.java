package podnet.linux.nftables;

import static podnet.linux.nftables.NfTables.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.nl.NetlinkSocket;
import podnet.linux.netlink.nl.NlAttrs;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.sys.Errno;

/** A rule of one of our chains: its handle (to delete it by) and its comment (null if none). */
record RuleRef(long handle, String comment) {

    /** The rules of {@code table}/{@code chain}; none when the table or chain does not exist. */
    static List<RuleRef> list(NetlinkSocket socket, int family, String table, String chain, String what) {
        List<NlMessage> replies;
        try {
            replies = socket.dump(NftMessages.getRules(family, table, chain), what);
        } catch (NetlinkException e) {
            if (e.is(Errno.ENOENT)) {
                return List.of();
            }
            throw e;
        }
        List<RuleRef> out = new ArrayList<>();
        for (NlMessage m : replies) {
            NlAttrs a = m.attrs(4);
            if (!table.equals(a.string(RULE_TABLE)) || !chain.equals(a.string(RULE_CHAIN))) {
                continue; // a kernel that ignores the dump filter
            }
            ByteBuffer handle = a.get(RULE_HANDLE);
            if (handle == null || handle.remaining() < 8) {
                continue;
            }
            out.add(new RuleRef(handle.order(ByteOrder.BIG_ENDIAN).getLong(0),
                    NftMessages.commentOf(a.bytes(RULE_USERDATA))));
        }
        return out;
    }
}
