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
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;

/**
 * nf_tables trace events of one network namespace, as {@code nft monitor trace} reads them: a
 * NETLINK_NETFILTER socket that joined NFNLGRP_NFTRACE. The kernel reports the rules met by
 * packets a rule marked with {@code meta nftrace set 1} ({@link FilterRule.Match.Traced}), only
 * while some socket listens; any number may listen at once (it is a multicast group).
 */
public final class NftTraceEvents implements AutoCloseable {
    static final int NFNLGRP_NFTRACE = 9;
    // enum nft_trace_attributes
    static final int TRACE_TABLE = 1, TRACE_CHAIN = 2, TRACE_RULE_HANDLE = 3, TRACE_TYPE = 4, TRACE_VERDICT = 5,
            TRACE_ID = 6, TRACE_NETWORK_HEADER = 8, TRACE_TRANSPORT_HEADER = 9, TRACE_IIF = 10, TRACE_OIF = 12,
            TRACE_NFPROTO = 15;
    private static final int RECEIVE_BUFFER = 4 << 20;

    private final NetlinkSocket socket;
    private volatile long lost;

    private NftTraceEvents(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Listens in {@code netns}; packets traced after this returns are reported. */
    public static NftTraceEvents open(Netns netns) {
        NetlinkSocket s = netns.call(() -> NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER));
        try {
            s.receiveBuffer(RECEIVE_BUFFER);
            s.joinGroup(NFNLGRP_NFTRACE);
            return new NftTraceEvents(s);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * The events of the next datagram, waiting up to {@code timeoutMillis} (empty on timeout).
     * When the kernel had to drop events (the buffer was full), they are counted in {@link #lost}
     * and the wait goes on with what comes next.
     */
    public List<NftTrace> next(int timeoutMillis) {
        List<NlMessage> messages;
        try {
            messages = socket.awaitNotifications(timeoutMillis);
        } catch (NetlinkException e) {
            if (e.is(Errno.ENOBUFS)) {
                lost++;
                return List.of();
            }
            throw e;
        }
        List<NftTrace> out = new ArrayList<>(messages.size());
        for (NlMessage m : messages) {
            if (m.type() == type(TRACE)) {
                out.add(decode(m));
            }
        }
        return out;
    }

    /** How many times events were lost to a full receive buffer. */
    public long lost() {
        return lost;
    }

    static NftTrace decode(NlMessage m) {
        NlAttrs a = m.attrs(4);
        int type = be32(a, TRACE_TYPE, 0);
        ByteBuffer handle = a.get(TRACE_RULE_HANDLE);
        return new NftTrace(be32(a, TRACE_ID, 0), type >= 0 && type < NftTrace.Type.values().length ? NftTrace.Type.values()[type]
                : NftTrace.Type.UNSPEC, be32(a, TRACE_NFPROTO, 0), a.string(TRACE_TABLE), a.string(TRACE_CHAIN),
                handle == null || handle.remaining() < 8 ? 0 : handle.order(ByteOrder.BIG_ENDIAN).getLong(0),
                be32(a.nested(TRACE_VERDICT), VERDICT_CODE, NftTrace.VERDICT_CONTINUE), a.bytes(TRACE_NETWORK_HEADER),
                a.bytes(TRACE_TRANSPORT_HEADER), be32(a, TRACE_IIF, 0), be32(a, TRACE_OIF, 0));
    }

    private static int be32(NlAttrs a, int type, int dflt) {
        ByteBuffer v = a.get(type);
        return v == null || v.remaining() < 4 ? dflt : v.order(ByteOrder.BIG_ENDIAN).getInt(0);
    }

    @Override
    public void close() {
        socket.close();
    }
}
