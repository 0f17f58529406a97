package podnet.cni.bridge;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import podnet.linux.inet.MacAddress;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.nl.NetlinkSocket;
import podnet.linux.netlink.nl.NlAttrs;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.NlRequest;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;

/**
 * macspoofchk: frames the pod sends with any source MAC but its own are dropped before the
 * bridge sees them. One nf_tables table {@code bridge podnet}, one base chain {@code prerouting}
 * (filter, priority -300, like the reference's), and one rule per attachment:
 * {@code iifname HOSTVETH ether saddr != MAC drop}, found again by its comment
 * {@code podnet-spoofchk ID IFNAME}. Spoken over NFNETLINK; the protocol numbers come from
 * the kernel's nf_tables.h (the masquerade code in podnet.linux.nftables keeps its own copy
 * package-private).
 */
final class SpoofCheck implements AutoCloseable {
    static final String TABLE = "podnet", CHAIN = "prerouting", COMMENT_PREFIX = "podnet-spoofchk ";
    private static final int NFPROTO_BRIDGE = 7, SUBSYS = 10, BATCH_BEGIN = 0x10, BATCH_END = 0x11;
    private static final int NEWTABLE = 0, NEWCHAIN = 3, NEWRULE = 6, GETRULE = 7, DELRULE = 8;
    private static final int TABLE_NAME = 1, TABLE_FLAGS = 2;
    private static final int CHAIN_TABLE = 1, CHAIN_NAME = 3, CHAIN_HOOK = 4, CHAIN_POLICY = 5, CHAIN_TYPE = 7;
    private static final int HOOK_HOOKNUM = 1, HOOK_PRIORITY = 2, NF_BR_PRE_ROUTING = 0, NF_ACCEPT = 1, NF_DROP = 0;
    private static final int RULE_TABLE = 1, RULE_CHAIN = 2, RULE_HANDLE = 3, RULE_EXPRESSIONS = 4, RULE_USERDATA = 7;
    private static final int LIST_ELEM = 1, EXPR_NAME = 1, EXPR_DATA = 2, DATA_VALUE = 1, DATA_VERDICT = 2,
            VERDICT_CODE = 1;
    private static final int META_DREG = 1, META_KEY = 2, NFT_META_IIFNAME = 6;
    private static final int CMP_SREG = 1, CMP_OP = 2, CMP_DATA = 3, NFT_CMP_NEQ = 1, NFT_CMP_EQ = 0;
    private static final int PAYLOAD_DREG = 1, PAYLOAD_BASE = 2, PAYLOAD_OFFSET = 3, PAYLOAD_LEN = 4, LL_HEADER = 0;
    private static final int IMMEDIATE_DREG = 1, IMMEDIATE_DATA = 2, REG_VERDICT = 0, REG_1 = 1;

    private final NetlinkSocket socket;

    private SpoofCheck(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** A NETLINK_NETFILTER socket in {@code netns} (the node). */
    static SpoofCheck open(Netns netns) {
        return new SpoofCheck(netns.call(() -> NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER)));
    }

    static String comment(String containerId, String ifName) {
        return COMMENT_PREFIX + containerId + " " + ifName;
    }

    private static NlRequest msg(int type, int flags) {
        return new NlRequest(type, flags).u8(NFPROTO_BRIDGE).u8(0).u8(0).u8(0).alignHeader();
    }

    private static NlRequest nft(int msg, int flags) {
        return msg((SUBSYS << 8) | msg, flags);
    }

    private static NlRequest batchMarker(int type) {
        return new NlRequest(type, 0).u8(0).u8(0).u8(SUBSYS >> 8).u8(SUBSYS).alignHeader();
    }

    /** Table, chain (both created if missing) and the attachment's rule, in one transaction. */
    void add(String hostVeth, MacAddress mac, String containerId, String ifName) {
        int ack = NlMessage.NLM_F_ACK, create = NlMessage.NLM_F_CREATE;
        NlRequest table = nft(NEWTABLE, create | ack).attrString(TABLE_NAME, TABLE).attrBe32(TABLE_FLAGS, 0);
        NlRequest chain = nft(NEWCHAIN, create | ack).attrString(CHAIN_TABLE, TABLE).attrString(CHAIN_NAME, CHAIN)
                .attrString(CHAIN_TYPE, "filter").attrBe32(CHAIN_POLICY, NF_ACCEPT);
        int hook = chain.beginNested(CHAIN_HOOK);
        chain.attrBe32(HOOK_HOOKNUM, NF_BR_PRE_ROUTING).attrBe32(HOOK_PRIORITY, -300).endNested(hook);
        NlRequest rule = nft(NEWRULE, create | NlMessage.NLM_F_APPEND | ack)
                .attrString(RULE_TABLE, TABLE).attrString(RULE_CHAIN, CHAIN);
        int list = rule.beginNested(RULE_EXPRESSIONS);
        // meta load iifname => reg 1; cmp eq "hostVeth" (IFNAMSIZ, NUL padded)
        int e = expr(rule, "meta");
        rule.attrBe32(META_KEY, NFT_META_IIFNAME).attrBe32(META_DREG, REG_1);
        endExpr(rule, e);
        byte[] name = new byte[16];
        byte[] n = hostVeth.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, name, 0, Math.min(n.length, 15));
        cmp(rule, NFT_CMP_EQ, name);
        // payload load 6 bytes at link-layer header + 6 (ether saddr) => reg 1; cmp neq MAC
        e = expr(rule, "payload");
        rule.attrBe32(PAYLOAD_DREG, REG_1).attrBe32(PAYLOAD_BASE, LL_HEADER).attrBe32(PAYLOAD_OFFSET, 6)
                .attrBe32(PAYLOAD_LEN, 6);
        endExpr(rule, e);
        cmp(rule, NFT_CMP_NEQ, mac.bytes());
        // immediate verdict drop
        e = expr(rule, "immediate");
        rule.attrBe32(IMMEDIATE_DREG, REG_VERDICT);
        int data = rule.beginNested(IMMEDIATE_DATA);
        int verdict = rule.beginNested(DATA_VERDICT);
        rule.attrBe32(VERDICT_CODE, NF_DROP).endNested(verdict).endNested(data);
        endExpr(rule, e);
        rule.endNested(list);
        rule.attr(RULE_USERDATA, userdata(comment(containerId, ifName)));
        String what = "nft add rule bridge " + TABLE + " " + CHAIN + " iifname " + hostVeth + " ether saddr != " + mac + " drop";
        socket.batch(List.of(batchMarker(BATCH_BEGIN), table, chain, rule, batchMarker(BATCH_END)),
                List.of("nft batch", "nft add table bridge " + TABLE, "nft add chain bridge " + TABLE + " " + CHAIN, what,
                        "nft batch"));
    }

    private static int expr(NlRequest r, String name) {
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, name);
        int d = r.beginNested(EXPR_DATA);
        return (e << 16) | d; // both offsets fit: requests are far below 64 KiB
    }

    private static void endExpr(NlRequest r, int marks) {
        r.endNested(marks & 0xffff).endNested(marks >>> 16);
    }

    private static void cmp(NlRequest r, int op, byte[] value) {
        int e = expr(r, "cmp");
        r.attrBe32(CMP_SREG, REG_1).attrBe32(CMP_OP, op);
        int v = r.beginNested(CMP_DATA);
        r.attr(DATA_VALUE, value).endNested(v);
        endExpr(r, e);
    }

    /** libnftnl rule userdata: a comment TLV (type 0, length, NUL-terminated text). */
    private static byte[] userdata(String comment) {
        byte[] t = comment.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[Math.min(t.length, 250) + 3];
        out[1] = (byte) (out.length - 2);
        System.arraycopy(t, 0, out, 2, out.length - 3);
        return out;
    }

    private static String commentOf(byte[] u) {
        if (u == null || u.length < 3 || u[0] != 0) {
            return null;
        }
        int len = Math.min(u[1] & 0xff, u.length - 2);
        while (len > 0 && u[2 + len - 1] == 0) {
            len--;
        }
        return new String(u, 2, len, StandardCharsets.UTF_8);
    }

    record Rule(long handle, String comment) {}

    /** Our rules (those with our comment); empty when the table does not exist. */
    List<Rule> rules() {
        List<Rule> out = new ArrayList<>();
        List<NlMessage> replies;
        try {
            replies = socket.dump(nft(GETRULE, 0).attrString(RULE_TABLE, TABLE).attrString(RULE_CHAIN, CHAIN),
                    "nft list chain bridge " + TABLE + " " + CHAIN);
        } catch (NetlinkException e) {
            if (e.is(Errno.ENOENT)) {
                return out;
            }
            throw e;
        }
        for (NlMessage m : replies) {
            if ((m.type() & 0xff) != NEWRULE) {
                continue;
            }
            NlAttrs a = m.attrs(4);
            String c = commentOf(a.bytes(RULE_USERDATA));
            ByteBuffer h = a.get(RULE_HANDLE);
            if (c != null && c.startsWith(COMMENT_PREFIX) && h != null) {
                out.add(new Rule(h.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(), c));
            }
        }
        return out;
    }

    /** Removes the attachment's rule; none is fine. */
    void remove(String containerId, String ifName) {
        String c = comment(containerId, ifName);
        for (Rule r : rules()) {
            if (r.comment().equals(c)) {
                delete(r);
            }
        }
    }

    /** GC: removes rules of attachments not in {@code valid} (comments of valid attachments). */
    void retain(Set<String> validComments) {
        for (Rule r : rules()) {
            if (!validComments.contains(r.comment())) {
                delete(r);
            }
        }
    }

    private void delete(Rule r) {
        NlRequest del = nft(DELRULE, NlMessage.NLM_F_ACK).attrString(RULE_TABLE, TABLE).attrString(RULE_CHAIN, CHAIN)
                .attr(RULE_HANDLE, ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putLong(r.handle()).array());
        try {
            socket.batch(List.of(batchMarker(BATCH_BEGIN), del, batchMarker(BATCH_END)),
                    List.of("nft batch", "nft delete rule bridge " + TABLE + " " + CHAIN + " handle " + r.handle(), "nft batch"));
        } catch (NetlinkException e) {
            if (!e.is(Errno.ENOENT)) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
