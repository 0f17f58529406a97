package podnet.linux.nftables;

/**
 * The nf_tables netlink protocol numbers we use, from the kernel's
 * {@code include/uapi/linux/netfilter/nf_tables.h} and {@code nfnetlink.h}. Every integer
 * attribute of nf_tables travels in network byte order.
 */
final class NfTables {
    private NfTables() {}

    static final int NFNL_SUBSYS_NFTABLES = 10;
    static final int NFNL_MSG_BATCH_BEGIN = 0x10, NFNL_MSG_BATCH_END = 0x11;
    static final int NFNL_BATCH_GENID = 1;
    static final int NFNETLINK_V0 = 0;

    /** nfgenmsg families (NFPROTO_*). */
    static final int NFPROTO_UNSPEC = 0, NFPROTO_INET = 1, NFPROTO_IPV4 = 2, NFPROTO_BRIDGE = 7,
            NFPROTO_IPV6 = 10;

    // enum nf_tables_msg_types
    static final int NEWTABLE = 0, GETTABLE = 1, DELTABLE = 2, NEWCHAIN = 3, GETCHAIN = 4,
            DELCHAIN = 5, NEWRULE = 6, GETRULE = 7, DELRULE = 8, NEWSET = 9, GETSET = 10,
            DELSET = 11, NEWSETELEM = 12, GETSETELEM = 13, DELSETELEM = 14, NEWGEN = 15,
            GETGEN = 16, TRACE = 17, DESTROYTABLE = 26, DESTROYSETELEM = 30;

    /** The netlink message type of an nf_tables message. */
    static int type(int msg) {
        return (NFNL_SUBSYS_NFTABLES << 8) | msg;
    }

    // enum nft_table_attributes
    static final int TABLE_NAME = 1, TABLE_FLAGS = 2, TABLE_USERDATA = 6;
    /** libnftnl table userdata: NFTNL_UDATA_TABLE_COMMENT. */
    static final int UDATA_TABLE_COMMENT = 0;
    // enum nft_chain_attributes
    static final int CHAIN_TABLE = 1, CHAIN_HANDLE = 2, CHAIN_NAME = 3, CHAIN_HOOK = 4,
            CHAIN_POLICY = 5, CHAIN_TYPE = 7;
    // enum nft_hook_attributes
    static final int HOOK_HOOKNUM = 1, HOOK_PRIORITY = 2;
    static final int NF_INET_PRE_ROUTING = 0, NF_INET_FORWARD = 2, NF_INET_LOCAL_OUT = 3, NF_INET_POST_ROUTING = 4,
            NF_BR_PRE_ROUTING = 0;
    // verdicts; jump, goto and return are negative codes
    static final int NF_DROP = 0, NF_ACCEPT = 1, NFT_JUMP = -3, NFT_GOTO = -4, NFT_RETURN = -5;
    /** NF_IP_PRI_NAT_SRC, nft's "srcnat". */
    static final int PRIORITY_SRCNAT = 100;
    /** NF_IP_PRI_NAT_DST, nft's "dstnat". */
    static final int PRIORITY_DSTNAT = -100;

    // enum nft_rule_attributes
    static final int RULE_TABLE = 1, RULE_CHAIN = 2, RULE_HANDLE = 3, RULE_EXPRESSIONS = 4,
            RULE_USERDATA = 7;
    // enum nft_list_attributes / nft_expr_attributes
    static final int LIST_ELEM = 1;
    static final int EXPR_NAME = 1, EXPR_DATA = 2;
    // enum nft_data_attributes
    static final int DATA_VALUE = 1, DATA_VERDICT = 2;
    // enum nft_verdict_attributes
    static final int VERDICT_CODE = 1, VERDICT_CHAIN = 2;

    // enum nft_set_attributes
    static final int SET_TABLE = 1, SET_NAME = 2, SET_FLAGS = 3, SET_KEY_TYPE = 4,
            SET_KEY_LEN = 5, SET_ID = 10, SET_USERDATA = 13;
    static final int NFT_SET_INTERVAL = 0x4;
    /** nft's TYPE_INET_PROTOCOL and TYPE_INET_SERVICE; a concatenation's type packs 6 bits per field. */
    static final int DATATYPE_INET_PROTO = 12, DATATYPE_INET_SERVICE = 13, DATATYPE_BITS = 6;
    /** nft's datatype numbers (TYPE_IPADDR, TYPE_IP6ADDR), kept so nft(8) prints the set's type. */
    static final int DATATYPE_IPADDR = 7, DATATYPE_IP6ADDR = 8;
    /** libnftnl set userdata: NFTNL_UDATA_SET_KEYBYTEORDER = BYTEORDER_BIG_ENDIAN. */
    static final byte[] SET_UDATA_KEY_BIG_ENDIAN = {0, 4, 2, 0, 0, 0};

    // enum nft_set_elem_list_attributes / nft_set_elem_attributes
    static final int SET_ELEM_LIST_TABLE = 1, SET_ELEM_LIST_SET = 2, SET_ELEM_LIST_ELEMENTS = 3;
    static final int SET_ELEM_KEY = 1, SET_ELEM_FLAGS = 3;
    static final int NFT_SET_ELEM_INTERVAL_END = 0x1;

    // enum nft_gen_attributes
    static final int GEN_ID = 1;

    // expressions
    static final int META_DREG = 1, META_KEY = 2, META_SREG = 3;
    static final int NFT_META_MARK = 3, NFT_META_IIFNAME = 6, NFT_META_NFTRACE = 12, NFT_META_NFPROTO = 15, NFT_META_L4PROTO = 16;
    static final int CT_DREG = 1, CT_KEY = 2, NFT_CT_STATE = 0;
    static final int COUNTER_BYTES = 1, COUNTER_PACKETS = 2;
    static final int CMP_SREG = 1, CMP_OP = 2, CMP_DATA = 3;
    static final int NFT_CMP_EQ = 0, NFT_CMP_NEQ = 1, NFT_CMP_LTE = 3, NFT_CMP_GTE = 5;
    static final int PAYLOAD_DREG = 1, PAYLOAD_BASE = 2, PAYLOAD_OFFSET = 3, PAYLOAD_LEN = 4;
    static final int NFT_PAYLOAD_LL_HEADER = 0, NFT_PAYLOAD_NETWORK_HEADER = 1, NFT_PAYLOAD_TRANSPORT_HEADER = 2;
    static final int BITWISE_SREG = 1, BITWISE_DREG = 2, BITWISE_LEN = 3, BITWISE_MASK = 4,
            BITWISE_XOR = 5;
    static final int LOOKUP_SET = 1, LOOKUP_SREG = 2, LOOKUP_SET_ID = 4, LOOKUP_FLAGS = 5;
    static final int NFT_LOOKUP_F_INV = 1;
    static final int IMMEDIATE_DREG = 1, IMMEDIATE_DATA = 2;
    /** Register 1 (16 bytes) overlaps the 32-bit registers 8..11: a concatenation loads into 8, 9, 10. */
    static final int NFT_REG_VERDICT = 0, NFT_REG_1 = 1, NFT_REG_2 = 2, NFT_REG32_01 = 9, NFT_REG32_02 = 10;
    // enum nft_nat_attributes, nft_nat_types
    static final int NAT_TYPE = 1, NAT_FAMILY = 2, NAT_REG_ADDR_MIN = 3, NAT_REG_PROTO_MIN = 5;
    static final int NFT_NAT_DNAT = 1;
    // enum nft_fib_attributes, nft_fib_result, NFTA_FIB_F_*
    static final int FIB_DREG = 1, FIB_RESULT = 2, FIB_FLAGS = 3;
    static final int NFT_FIB_RESULT_ADDRTYPE = 3, NFTA_FIB_F_DADDR = 2;
    /** RTN_LOCAL: an address of this host (what {@code fib daddr type local} compares with). */
    static final int RTN_LOCAL = 2;

    /** libnftnl rule userdata: NFTNL_UDATA_RULE_COMMENT. */
    static final int UDATA_RULE_COMMENT = 0;

    /** Linux ERESTART: the batch's generation id is stale, the ruleset changed meanwhile. */
    static final int ERESTART = 85;
}
