package podnet.linux.nftables;

import static podnet.linux.nftables.NfTables.*;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.NlRequest;

/**
 * Builds nf_tables netlink messages, attribute for attribute as nft(8) 1.0.6 / libnftnl send
 * them (the codec test compares with captured nft batches). Flags are nft's plus NLM_F_ACK,
 * so every change in a batch is answered.
 */
final class NftMessages {
    private NftMessages() {}

    private static final int ACK = NlMessage.NLM_F_ACK;
    private static final int CREATE = NlMessage.NLM_F_CREATE;
    private static final int APPEND = NlMessage.NLM_F_APPEND;
    private static final int IFNAMSIZ = 16;

    /** A message with its nfgenmsg header: family, NFNETLINK_V0, res_id (big endian). */
    static NlRequest message(int type, int flags, int family, int resId) {
        return new NlRequest(type, flags).u8(family).u8(NFNETLINK_V0)
                .u8(resId >> 8).u8(resId).alignHeader();
    }

    private static NlRequest nft(int msg, int flags, int family) {
        return message(type(msg), flags, family, 0);
    }

    /** BATCH_BEGIN for the nf_tables subsystem; a non-zero genid makes the kernel refuse a stale batch. */
    static NlRequest batchBegin(int genId) {
        NlRequest r = message(NFNL_MSG_BATCH_BEGIN, 0, NFPROTO_UNSPEC, NFNL_SUBSYS_NFTABLES);
        if (genId != 0) {
            r.attrBe32(NFNL_BATCH_GENID, genId);
        }
        return r;
    }

    static NlRequest batchEnd() {
        return message(NFNL_MSG_BATCH_END, 0, NFPROTO_UNSPEC, NFNL_SUBSYS_NFTABLES);
    }

    static NlRequest getGen() {
        return nft(GETGEN, 0, NFPROTO_UNSPEC);
    }

    static NlRequest newTable(int family, String table) {
        return nft(NEWTABLE, ACK, family).attrString(TABLE_NAME, table).attrBe32(TABLE_FLAGS, 0);
    }

    static NlRequest delTable(int family, String table) {
        return nft(DELTABLE, ACK, family).attrString(TABLE_NAME, table);
    }

    /**
     * NLM_F_NONREC on a delete: the kernel refuses (EBUSY) to delete a table that still has
     * chains or sets, a chain that still has rules, a set that still has elements, and the
     * whole batch with it. The check and the delete are one transaction: nothing added
     * meanwhile is ever lost.
     */
    private static final int NONREC = 0x100;

    static NlRequest delTableIfEmpty(int family, String table) {
        return nft(DELTABLE, NONREC | ACK, family).attrString(TABLE_NAME, table);
    }

    static NlRequest delChainIfEmpty(int family, String table, String chain) {
        return nft(DELCHAIN, NONREC | ACK, family).attrString(CHAIN_TABLE, table).attrString(CHAIN_NAME, chain);
    }

    static NlRequest delSetIfEmpty(int family, String table, String set) {
        return nft(DELSET, NONREC | ACK, family).attrString(SET_TABLE, table).attrString(SET_NAME, set);
    }

    /** A base chain of type nat on the postrouting hook with policy accept. */
    static NlRequest newNatPostroutingChain(int family, String table, String chain, int priority) {
        return newBaseChain(family, table, chain, "nat", NF_INET_POST_ROUTING, priority);
    }

    /** A base chain of {@code type} ("nat", "filter") on {@code hook} with policy accept. */
    static NlRequest newBaseChain(int family, String table, String chain, String type, int hook, int priority) {
        NlRequest r = nft(NEWCHAIN, CREATE | ACK, family)
                .attrString(CHAIN_TABLE, table)
                .attrString(CHAIN_NAME, chain)
                .attrString(CHAIN_TYPE, type)
                .attrBe32(CHAIN_POLICY, NF_ACCEPT);
        int h = r.beginNested(CHAIN_HOOK);
        r.attrBe32(HOOK_HOOKNUM, hook).attrBe32(HOOK_PRIORITY, priority);
        return r.endNested(h);
    }

    /** A plain set of IPv4 or IPv6 addresses; {@code setId} names it within one batch. */
    static NlRequest newAddressSet(int family, String table, String set, boolean ipv6, int setId) {
        return nft(NEWSET, CREATE | ACK, family)
                .attrString(SET_TABLE, table)
                .attrString(SET_NAME, set)
                .attrBe32(SET_FLAGS, 0)
                .attrBe32(SET_KEY_TYPE, ipv6 ? DATATYPE_IP6ADDR : DATATYPE_IPADDR)
                .attrBe32(SET_KEY_LEN, ipv6 ? 16 : 4)
                .attrBe32(SET_ID, setId)
                .attr(SET_USERDATA, SET_UDATA_KEY_BIG_ENDIAN);
    }

    static NlRequest delSet(int family, String table, String set) {
        return nft(DELSET, ACK, family).attrString(SET_TABLE, table).attrString(SET_NAME, set);
    }

    static NlRequest getSets(int family, String table) {
        return nft(GETSET, 0, family).attrString(SET_TABLE, table);
    }

    /** Deletes a chain with the rules in it; refused (EBUSY) while another rule jumps to it. */
    static NlRequest delChain(int family, String table, String chain) {
        return nft(DELCHAIN, ACK, family).attrString(CHAIN_TABLE, table).attrString(CHAIN_NAME, chain);
    }

    /**
     * A dump of every chain of the family: the kernel does not filter chain dumps by table (it
     * ignores a table attribute), so callers pick their table's chains (see {@link NftDump#names}).
     */
    static NlRequest getChains(int family) {
        return nft(GETCHAIN, 0, family);
    }

    /** Deletes every rule of a chain (DELRULE without a handle), as {@code nft flush chain}. */
    static NlRequest flushChain(int family, String table, String chain) {
        return nft(DELRULE, ACK, family).attrString(RULE_TABLE, table).attrString(RULE_CHAIN, chain);
    }

    /** Adds one element; without NLM_F_EXCL an element that is already there is not an error. */
    static NlRequest newSetElement(int family, String table, String set, InetAddress key) {
        return setElement(nft(NEWSETELEM, CREATE | ACK, family), table, set, key);
    }

    static NlRequest delSetElement(int family, String table, String set, InetAddress key) {
        return setElement(nft(DELSETELEM, ACK, family), table, set, key);
    }

    private static NlRequest setElement(NlRequest r, String table, String set, InetAddress key) {
        r.attrString(SET_ELEM_LIST_TABLE, table).attrString(SET_ELEM_LIST_SET, set);
        int list = r.beginNested(SET_ELEM_LIST_ELEMENTS);
        int elem = r.beginNested(LIST_ELEM);
        int k = r.beginNested(SET_ELEM_KEY);
        r.attr(DATA_VALUE, key.getAddress());
        return r.endNested(k).endNested(elem).endNested(list);
    }

    static NlRequest getSetElements(int family, String table, String set) {
        return nft(GETSETELEM, 0, family)
                .attrString(SET_ELEM_LIST_TABLE, table).attrString(SET_ELEM_LIST_SET, set);
    }

    /** Appends the masquerade rule at the end of the chain; its comment travels as nft's rule userdata. */
    static NlRequest newRule(int family, String table, String chain, MasqueradeRule rule, int setId) {
        NlRequest r = nft(NEWRULE, CREATE | APPEND | ACK, family)
                .attrString(RULE_TABLE, table)
                .attrString(RULE_CHAIN, chain);
        rule.writeExpressions(r, RULE_EXPRESSIONS, setId);
        return r.attr(RULE_USERDATA, commentUserdata(rule.comment()));
    }

    /**
     * Appends {@code iifname PORT ether saddr != MAC drop comment "..."}: frames entering on
     * {@code port} with any source MAC but {@code mac} are dropped.
     */
    static NlRequest newSourceMacRule(int family, String table, String chain, String port, byte[] mac, String comment) {
        NlRequest r = nft(NEWRULE, CREATE | APPEND | ACK, family)
                .attrString(RULE_TABLE, table)
                .attrString(RULE_CHAIN, chain);
        byte[] name = new byte[IFNAMSIZ];
        byte[] n = port.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, name, 0, Math.min(n.length, IFNAMSIZ - 1));
        new Expressions(r, RULE_EXPRESSIONS)
                .metaIifname().cmp(NFT_CMP_EQ, name)
                .linkLayerPayload(6, 6).cmp(NFT_CMP_NEQ, mac) // ether saddr
                .verdict(NF_DROP)
                .end();
        return r.attr(RULE_USERDATA, commentUserdata(comment));
    }

    /** A regular chain (no hook): reached only by a jump. */
    static NlRequest newChain(int family, String table, String chain) {
        return nft(NEWCHAIN, CREATE | ACK, family).attrString(CHAIN_TABLE, table).attrString(CHAIN_NAME, chain);
    }

    /** Appends a rule whose expressions {@code body} writes, with an optional comment. */
    static NlRequest newRule(int family, String table, String chain, RuleBody body, String comment) {
        NlRequest r = nft(NEWRULE, CREATE | APPEND | ACK, family)
                .attrString(RULE_TABLE, table)
                .attrString(RULE_CHAIN, chain);
        Expressions e = new Expressions(r, RULE_EXPRESSIONS);
        body.write(e);
        e.end();
        return comment == null ? r : r.attr(RULE_USERDATA, commentUserdata(comment));
    }

    /** What goes into a rule: its expressions, in order. */
    interface RuleBody {
        void write(Expressions e);
    }

    static NlRequest delRule(int family, String table, String chain, long handle) {
        return nft(DELRULE, ACK, family)
                .attrString(RULE_TABLE, table)
                .attrString(RULE_CHAIN, chain)
                .attr(RULE_HANDLE, ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putLong(handle).array());
    }

    static NlRequest getRules(int family, String table, String chain) {
        return nft(GETRULE, 0, family).attrString(RULE_TABLE, table).attrString(RULE_CHAIN, chain);
    }

    /** libnftnl's userdata TLV: type u8, length u8, NUL-terminated text. */
    static byte[] commentUserdata(String comment) {
        byte[] text = comment.getBytes(StandardCharsets.UTF_8);
        if (text.length + 1 > 255) {
            throw new IllegalArgumentException("rule comment too long: " + comment);
        }
        byte[] out = new byte[text.length + 3];
        out[0] = UDATA_RULE_COMMENT;
        out[1] = (byte) (text.length + 1);
        System.arraycopy(text, 0, out, 2, text.length);
        return out;
    }

    /** The comment in a rule's userdata, or null. */
    static String commentOf(byte[] userdata) {
        if (userdata == null) {
            return null;
        }
        int pos = 0;
        while (pos + 2 <= userdata.length) {
            int type = userdata[pos] & 0xff;
            int len = userdata[pos + 1] & 0xff;
            if (pos + 2 + len > userdata.length) {
                return null;
            }
            if (type == UDATA_RULE_COMMENT) {
                int n = len;
                while (n > 0 && userdata[pos + 2 + n - 1] == 0) {
                    n--;
                }
                return new String(userdata, pos + 2, n, StandardCharsets.UTF_8);
            }
            pos += 2 + len;
        }
        return null;
    }
}
