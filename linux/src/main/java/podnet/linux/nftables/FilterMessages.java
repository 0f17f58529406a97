package podnet.linux.nftables;

import static podnet.linux.nftables.NfTables.*;

import java.util.List;
import java.util.Map;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.NlRequest;

/**
 * nf_tables messages for a {@link FilterRuleset} in an inet table, written as nft 1.0.6 writes
 * the same ruleset (checked against {@code nft --debug=netlink}): sets with nft's datatype
 * numbers and key byte order, interval sets with a leading interval-end element, rules with
 * {@code meta nfproto ipv4} before an address load.
 */
final class FilterMessages {
    private FilterMessages() {}

    private static final int FAMILY = NFPROTO_INET;
    private static final int ACK = NlMessage.NLM_F_ACK, CREATE = NlMessage.NLM_F_CREATE,
            APPEND = NlMessage.NLM_F_APPEND;
    /** Elements per message: keeps the element list attribute far below its 64 KiB limit. */
    static final int ELEMENTS_PER_MESSAGE = 1000;

    private static NlRequest nft(int msg, int flags) {
        return NftMessages.message(type(msg), flags, FAMILY, 0);
    }

    static NlRequest newTable(String table, String comment) {
        NlRequest r = nft(NEWTABLE, CREATE | ACK).attrString(TABLE_NAME, table).attrBe32(TABLE_FLAGS, 0);
        return comment == null ? r : r.attr(TABLE_USERDATA, commentTlv(UDATA_TABLE_COMMENT, comment));
    }

    static NlRequest getTable(String table) {
        return nft(GETTABLE, 0).attrString(TABLE_NAME, table);
    }

    /** Deletes the table and all in it; no error when there is none. */
    static NlRequest destroyTable(String table) {
        return nft(DESTROYTABLE, ACK).attrString(TABLE_NAME, table);
    }

    static NlRequest newChain(String table, FilterChain c) {
        NlRequest r = nft(NEWCHAIN, CREATE | ACK).attrString(CHAIN_TABLE, table).attrString(CHAIN_NAME, c.name());
        if (c.forwardPriority() != null) {
            int hook = r.beginNested(CHAIN_HOOK);
            r.attrBe32(HOOK_HOOKNUM, NF_INET_FORWARD).attrBe32(HOOK_PRIORITY, c.forwardPriority()).endNested(hook);
            r.attrBe32(CHAIN_POLICY, NF_ACCEPT).attrString(CHAIN_TYPE, "filter");
        }
        return r;
    }

    static NlRequest newSet(String table, FilterSet s, int setId) {
        int keyType, keyLen, flags = 0;
        switch (s.kind()) {
            case ADDRESSES -> { keyType = DATATYPE_IPADDR; keyLen = 4; }
            case ADDRESS_RANGES -> { keyType = DATATYPE_IPADDR; keyLen = 4; flags = NFT_SET_INTERVAL; }
            default -> {
                keyType = (((DATATYPE_IPADDR << DATATYPE_BITS) | DATATYPE_INET_PROTO) << DATATYPE_BITS)
                        | DATATYPE_INET_SERVICE;
                keyLen = 12;
            }
        }
        NlRequest r = nft(NEWSET, CREATE | ACK)
                .attrString(SET_TABLE, table)
                .attrString(SET_NAME, s.name())
                .attrBe32(SET_FLAGS, flags)
                .attrBe32(SET_KEY_TYPE, keyType)
                .attrBe32(SET_KEY_LEN, keyLen)
                .attrBe32(SET_ID, setId);
        return s.kind() == FilterSet.Kind.SERVICES ? r : r.attr(SET_USERDATA, SET_UDATA_KEY_BIG_ENDIAN);
    }

    /** One element message: NEWSETELEM (add; an element already there is fine) or DESTROYSETELEM (remove; a missing one is fine). */
    static NlRequest elements(String table, String set, boolean add, List<byte[]> keys, List<Integer> flags) {
        NlRequest r = add ? nft(NEWSETELEM, CREATE | ACK) : nft(DESTROYSETELEM, ACK);
        r.attrString(SET_ELEM_LIST_TABLE, table).attrString(SET_ELEM_LIST_SET, set);
        int list = r.beginNested(SET_ELEM_LIST_ELEMENTS);
        for (int i = 0; i < keys.size(); i++) {
            int elem = r.beginNested(LIST_ELEM);
            if (flags != null && flags.get(i) != 0) {
                r.attrBe32(SET_ELEM_FLAGS, flags.get(i));
            }
            int k = r.beginNested(SET_ELEM_KEY);
            r.attr(DATA_VALUE, keys.get(i)).endNested(k);
            r.endNested(elem);
        }
        return r.endNested(list);
    }

    static NlRequest getElements(String table, String set) {
        return nft(GETSETELEM, 0).attrString(SET_ELEM_LIST_TABLE, table).attrString(SET_ELEM_LIST_SET, set);
    }

    /** {@code setIds}: the batch ids of the sets created in the same batch (a set not in it is found by name alone). */
    static NlRequest newRule(String table, String chain, FilterRule rule, Map<String, Integer> setIds) {
        NlRequest r = nft(NEWRULE, CREATE | APPEND | ACK).attrString(RULE_TABLE, table).attrString(RULE_CHAIN, chain);
        Expressions x = new Expressions(r, RULE_EXPRESSIONS);
        for (FilterRule.Match m : rule.matches()) {
            switch (m) {
                case FilterRule.Match.EstablishedOrRelated e -> x.ctState()
                        .bitwiseMask(nativeInt(CT_STATE_ESTABLISHED | CT_STATE_RELATED))
                        .cmp(NFT_CMP_NEQ, new byte[4]);
                case FilterRule.Match.TcpMidstreamPickup t -> x.ctState()
                        .bitwiseMask(nativeInt(CT_STATE_NEW))
                        .cmp(NFT_CMP_NEQ, new byte[4])
                        .meta(NFT_META_L4PROTO, NFT_REG_1).cmp(NFT_CMP_EQ, new byte[] {6})
                        .payload(NFT_PAYLOAD_TRANSPORT_HEADER, 13, 1, NFT_REG_1)
                        .bitwiseMask(new byte[] {TCP_SYN})
                        .cmp(NFT_CMP_EQ, new byte[1]);
                case FilterRule.Match.AddressIn a -> ipv4(x)
                        .payload(a.source() ? 12 : 16, 4)
                        .lookup(a.set(), setIds.getOrDefault(a.set(), 0), a.negated());
                case FilterRule.Match.Protocol p -> x.meta(NFT_META_L4PROTO, NFT_REG_1).cmp(NFT_CMP_EQ, new byte[] {(byte) p.number()});
                case FilterRule.Match.DestPort p -> {
                    x.payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1);
                    if (p.from() == p.to()) {
                        x.cmp(NFT_CMP_EQ, be16(p.from()));
                    } else {
                        x.cmp(NFT_CMP_GTE, be16(p.from())).cmp(NFT_CMP_LTE, be16(p.to()));
                    }
                }
                case FilterRule.Match.DestServiceIn d -> ipv4(x)
                        .payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1)
                        .meta(NFT_META_L4PROTO, NFT_REG32_01)
                        .payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_02)
                        .lookup(d.set(), setIds.getOrDefault(d.set(), 0), false);
                case FilterRule.Match.Traced t -> x.setMetaNftrace();
            }
        }
        if (rule.counter()) {
            x.counter();
        }
        switch (rule.verdict().kind()) {
            case ACCEPT -> x.verdict(NF_ACCEPT, null);
            case DROP -> x.verdict(NF_DROP, null);
            case JUMP -> x.verdict(NFT_JUMP, rule.verdict().chain());
            case CONTINUE -> { } // no verdict expression: the next rule follows
        }
        x.end();
        if (rule.comment() != null) {
            r.attr(RULE_USERDATA, NftMessages.commentUserdata(rule.comment()));
        }
        return r;
    }

    /** ct state bits: 1 << (IP_CT_ESTABLISHED + 1), 1 << (IP_CT_RELATED + 1). */
    static final int CT_STATE_ESTABLISHED = 2, CT_STATE_RELATED = 4, CT_STATE_NEW = 8;
    private static final byte TCP_SYN = 0x02;

    private static Expressions ipv4(Expressions x) {
        return x.metaNfproto().cmp(NFT_CMP_EQ, new byte[] {(byte) NFPROTO_IPV4});
    }

    private static byte[] be16(int v) {
        return new byte[] {(byte) (v >> 8), (byte) v};
    }

    private static byte[] nativeInt(int v) {
        return java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(v).array();
    }

    /** libnftnl's userdata TLV (type, length, NUL-terminated text). */
    static byte[] commentTlv(int type, String comment) {
        byte[] tlv = NftMessages.commentUserdata(comment);
        tlv[0] = (byte) type;
        return tlv;
    }
}
