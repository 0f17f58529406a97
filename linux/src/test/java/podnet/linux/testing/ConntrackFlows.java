package podnet.linux.testing;

import java.util.ArrayList;
import java.util.List;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.nl.NetlinkSocket;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.NlRequest;
import podnet.linux.ns.Netns;

/**
 * Real conntrack entries without real traffic: UDP flows put into a namespace's table over
 * ctnetlink (IPCTNL_MSG_CT_NEW, as {@code conntrack -I} does), so a test can fill the table of
 * a throwaway namespace cheaply. Each flow is {@code 10.x.y.z:40000 -> 192.0.2.1:53}, its source
 * counting up, with a long timeout so none expires during the test. Numbers from the kernel's
 * {@code include/uapi/linux/netfilter/nfnetlink_conntrack.h}.
 */
public final class ConntrackFlows {
    private static final int SUBSYS_CTNETLINK = 1, MSG_CT_NEW = 0, AF_INET = 2, IPPROTO_UDP = 17;
    private static final int CTA_TUPLE_ORIG = 1, CTA_TUPLE_REPLY = 2, CTA_TIMEOUT = 7;
    private static final int CTA_TUPLE_IP = 1, CTA_TUPLE_PROTO = 2, CTA_IP_V4_SRC = 1, CTA_IP_V4_DST = 2;
    private static final int CTA_PROTO_NUM = 1, CTA_PROTO_SRC_PORT = 2, CTA_PROTO_DST_PORT = 3;
    private static final int TIMEOUT_SECONDS = 3600, PER_CALL = 4096, PER_DATAGRAM = 256;
    private static final byte[] SERVER = {(byte) 192, 0, 2, 1};

    private ConntrackFlows() {}

    /** Adds flows number {@code from} to {@code from + count - 1} to {@code netns}'s table (at most 2^24 in all). */
    public static void add(Netns netns, int from, int count) {
        if (from < 0 || count < 0 || (long) from + count > 1 << 24) {
            throw new IllegalArgumentException("flows " + from + " + " + count + " do not fit 10.0.0.0/8");
        }
        try (NetlinkSocket s = netns.call(() -> NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER))) {
            for (int start = from; start < from + count; start += PER_CALL) {
                int end = Math.min(from + count, start + PER_CALL);
                List<NlRequest> reqs = new ArrayList<>(end - start);
                List<String> names = new ArrayList<>(end - start);
                for (int i = start; i < end; i++) {
                    byte[] client = {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i};
                    reqs.add(flow(client));
                    names.add("conntrack -I flow " + i);
                }
                for (NetlinkSocket.Outcome o : s.requestEach(reqs, names, PER_DATAGRAM)) {
                    NetlinkException e = o.error();
                    if (e != null) {
                        throw e;
                    }
                }
            }
        }
    }

    private static NlRequest flow(byte[] client) {
        NlRequest r = new NlRequest((SUBSYS_CTNETLINK << 8) | MSG_CT_NEW, NlMessage.NLM_F_CREATE | NlMessage.NLM_F_EXCL)
                .u8(AF_INET).u8(0).u8(0).u8(0).alignHeader();
        tuple(r, CTA_TUPLE_ORIG, client, 40000, SERVER, 53);
        tuple(r, CTA_TUPLE_REPLY, SERVER, 53, client, 40000);
        return r.attrBe32(CTA_TIMEOUT, TIMEOUT_SECONDS);
    }

    private static void tuple(NlRequest r, int which, byte[] src, int sport, byte[] dst, int dport) {
        int t = r.beginNested(which);
        int ip = r.beginNested(CTA_TUPLE_IP);
        r.attr(CTA_IP_V4_SRC, src).attr(CTA_IP_V4_DST, dst).endNested(ip);
        int proto = r.beginNested(CTA_TUPLE_PROTO);
        r.attrU8(CTA_PROTO_NUM, IPPROTO_UDP).attrBe16(CTA_PROTO_SRC_PORT, sport).attrBe16(CTA_PROTO_DST_PORT, dport)
                .endNested(proto);
        r.endNested(t);
    }
}
