package podnet.linux.nftables;

import static podnet.linux.nftables.NfTables.*;

import java.util.Arrays;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.nl.NlRequest;

/**
 * Writes a rule's expression list into a request, as nft(8) writes it. Everything works in
 * register 1, the way nft's own output does: load, then compare or look up. (Plain calls, no
 * lambdas: a one-shot plugin process pays for every lambda it bootstraps.)
 */
final class Expressions {
    private final NlRequest r;
    private final int list;

    /** Opens the list attribute ({@code NFTA_RULE_EXPRESSIONS}) in {@code r}; {@link #end()} closes it. */
    Expressions(NlRequest r, int attrType) {
        this.r = r;
        this.list = r.beginNested(attrType);
    }

    /** Closes an expression's data and the expression. */
    private Expressions end(int expr, int data) {
        r.endNested(data).endNested(expr);
        return this;
    }

    /** meta load nfproto => reg 1 (IPv4 or IPv6 inside an inet table). */
    Expressions metaNfproto() {
        return meta(NFT_META_NFPROTO);
    }

    /** meta load iifname => reg 1 (IFNAMSIZ bytes, NUL padded). */
    Expressions metaIifname() {
        return meta(NFT_META_IIFNAME);
    }

    /** meta load l4proto => reg 1 (one byte: 6 tcp, 17 udp). */
    Expressions metaL4proto() {
        return meta(NFT_META_L4PROTO);
    }

    /** meta load mark => reg 1 (host byte order). */
    Expressions metaMark() {
        return meta(NFT_META_MARK);
    }

    /** meta set mark reg 1. */
    Expressions setMetaMark() {
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, "meta");
        int d = r.beginNested(EXPR_DATA);
        r.attrBe32(META_KEY, NFT_META_MARK).attrBe32(META_SREG, NFT_REG_1);
        return end(e, d);
    }

    /** immediate reg 1 = 1; meta set nftrace with reg 1 (nft's {@code meta nftrace set 1}). */
    Expressions setMetaNftrace() {
        immediate(NFT_REG_1, new byte[] {1});
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, "meta");
        int d = r.beginNested(EXPR_DATA);
        r.attrBe32(META_KEY, NFT_META_NFTRACE).attrBe32(META_SREG, NFT_REG_1);
        return end(e, d);
    }

    private Expressions meta(int key) {
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, "meta");
        int d = r.beginNested(EXPR_DATA);
        r.attrBe32(META_KEY, key).attrBe32(META_DREG, NFT_REG_1);
        return end(e, d);
    }

    Expressions cmp(int op, byte[] value) {
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, "cmp");
        int d = r.beginNested(EXPR_DATA);
        r.attrBe32(CMP_SREG, NFT_REG_1).attrBe32(CMP_OP, op);
        int v = r.beginNested(CMP_DATA);
        r.attr(DATA_VALUE, value).endNested(v);
        return end(e, d);
    }

    /** payload load LEN bytes at network header + OFFSET => reg 1. */
    Expressions payload(int offset, int len) {
        return payload(NFT_PAYLOAD_NETWORK_HEADER, offset, len, NFT_REG_1);
    }

    /** payload load LEN bytes at link-layer header + OFFSET => reg 1 (e.g. 6 at 6: ether saddr). */
    Expressions linkLayerPayload(int offset, int len) {
        return payload(NFT_PAYLOAD_LL_HEADER, offset, len);
    }

    /** payload load LEN bytes at transport header + OFFSET => reg 1 (2 at 2: th dport). */
    Expressions transportPayload(int offset, int len) {
        return payload(NFT_PAYLOAD_TRANSPORT_HEADER, offset, len);
    }

    private Expressions payload(int base, int offset, int len) {
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, "payload");
        int d = r.beginNested(EXPR_DATA);
        r.attrBe32(PAYLOAD_DREG, NFT_REG_1)
                .attrBe32(PAYLOAD_BASE, base)
                .attrBe32(PAYLOAD_OFFSET, offset)
                .attrBe32(PAYLOAD_LEN, len);
        return end(e, d);
    }

    /** immediate verdict CODE (NF_DROP, NF_ACCEPT) => the verdict register. */
    Expressions verdict(int code) {
        return verdict(code, null);
    }

    /** reg 1 = (reg 1 &amp; mask) ^ 0. */
    Expressions bitwiseMask(byte[] mask) {
        return bitwise(mask, new byte[mask.length]);
    }

    /** reg 1 = (reg 1 &amp; mask) ^ xor: nft's form of "and", "or" and "xor" alike. */
    Expressions bitwise(byte[] mask, byte[] xor) {
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, "bitwise");
        int d = r.beginNested(EXPR_DATA);
        r.attrBe32(BITWISE_SREG, NFT_REG_1).attrBe32(BITWISE_DREG, NFT_REG_1).attrBe32(BITWISE_LEN, mask.length);
        int m = r.beginNested(BITWISE_MASK);
        r.attr(DATA_VALUE, mask).endNested(m);
        int x = r.beginNested(BITWISE_XOR);
        r.attr(DATA_VALUE, xor).endNested(x);
        return end(e, d);
    }

    /** immediate VALUE => reg (the operands of a nat expression). */
    Expressions immediate(int reg, byte[] value) {
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, "immediate");
        int d = r.beginNested(EXPR_DATA);
        r.attrBe32(IMMEDIATE_DREG, reg);
        int data = r.beginNested(IMMEDIATE_DATA);
        r.attr(DATA_VALUE, value).endNested(data);
        return end(e, d);
    }

    /** jump CHAIN (the verdict register names the chain; processing returns after it). */
    Expressions jump(String chain) {
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, "immediate");
        int d = r.beginNested(EXPR_DATA);
        r.attrBe32(IMMEDIATE_DREG, NFT_REG_VERDICT);
        int data = r.beginNested(IMMEDIATE_DATA);
        int v = r.beginNested(DATA_VERDICT);
        r.attrBe32(VERDICT_CODE, NFT_JUMP).attrString(VERDICT_CHAIN, chain).endNested(v).endNested(data);
        return end(e, d);
    }

    /** fib daddr type => reg 1 (an RTN_* number, host byte order): {@code fib daddr type local}. */
    Expressions fibDaddrType() {
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, "fib");
        int d = r.beginNested(EXPR_DATA);
        r.attrBe32(FIB_DREG, NFT_REG_1).attrBe32(FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE).attrBe32(FIB_FLAGS, NFTA_FIB_F_DADDR);
        return end(e, d);
    }

    /** dnat to the address in reg 1 and the port in reg 2, of {@code family} (NFPROTO_IPV4/6). */
    Expressions dnat(int family) {
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, "nat");
        int d = r.beginNested(EXPR_DATA);
        r.attrBe32(NAT_TYPE, NFT_NAT_DNAT).attrBe32(NAT_FAMILY, family)
                .attrBe32(NAT_REG_ADDR_MIN, NFT_REG_1).attrBe32(NAT_REG_PROTO_MIN, NFT_REG_2);
        return end(e, d);
    }

    /** lookup reg 1 in a set, named and (when created in the same batch) by its batch id. */
    Expressions lookup(String set, int setId) {
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, "lookup");
        int d = r.beginNested(EXPR_DATA);
        r.attrBe32(LOOKUP_SREG, NFT_REG_1).attrString(LOOKUP_SET, set).attrBe32(LOOKUP_SET_ID, setId);
        return end(e, d);
    }

    Expressions masquerade() {
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, "masq");
        int d = r.beginNested(EXPR_DATA);
        return end(e, d);
    }

    /**
     * The address at {@code offset} is (or is not) inside {@code prefix}: like nft, a
     * byte-aligned prefix loads only its bytes, any other loads the whole address and masks it.
     */
    Expressions prefix(int offset, Cidr prefix, int op) {
        byte[] net = prefix.network().address().getAddress();
        int bits = prefix.prefixLength();
        if (bits % 8 == 0) {
            return payload(offset, bits / 8).cmp(op, Arrays.copyOf(net, bits / 8));
        }
        byte[] mask = new byte[net.length];
        for (int i = 0; i < bits; i++) {
            mask[i / 8] |= (byte) (0x80 >> (i % 8));
        }
        return payload(offset, net.length).bitwiseMask(mask).cmp(op, net);
    }

    /** meta load KEY => reg {@code dreg}. */
    Expressions meta(int key, int dreg) {
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, "meta");
        int d = r.beginNested(EXPR_DATA);
        r.attrBe32(META_KEY, key).attrBe32(META_DREG, dreg);
        return end(e, d);
    }

    /** ct load state => reg 1. */
    Expressions ctState() {
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, "ct");
        int d = r.beginNested(EXPR_DATA);
        r.attrBe32(CT_KEY, NFT_CT_STATE).attrBe32(CT_DREG, NFT_REG_1);
        return end(e, d);
    }

    /** payload load LEN bytes at {@code base} header + OFFSET => reg {@code dreg}. */
    Expressions payload(int base, int offset, int len, int dreg) {
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, "payload");
        int d = r.beginNested(EXPR_DATA);
        r.attrBe32(PAYLOAD_DREG, dreg)
                .attrBe32(PAYLOAD_BASE, base)
                .attrBe32(PAYLOAD_OFFSET, offset)
                .attrBe32(PAYLOAD_LEN, len);
        return end(e, d);
    }

    /** lookup reg 1 in a set; {@code invert}: the rule matches when the key is NOT in it. */
    Expressions lookup(String set, int setId, boolean invert) {
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, "lookup");
        int d = r.beginNested(EXPR_DATA);
        r.attrBe32(LOOKUP_SREG, NFT_REG_1).attrString(LOOKUP_SET, set).attrBe32(LOOKUP_SET_ID, setId);
        if (invert) {
            r.attrBe32(LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
        }
        return end(e, d);
    }

    /** counter packets 0 bytes 0. */
    Expressions counter() {
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, "counter");
        int d = r.beginNested(EXPR_DATA);
        byte[] zero = new byte[8];
        r.attr(COUNTER_BYTES, zero).attr(COUNTER_PACKETS, zero);
        return end(e, d);
    }

    /** immediate reg 0 = verdict {@code code} (jump/goto name {@code chain}, else null). */
    Expressions verdict(int code, String chain) {
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, "immediate");
        int d = r.beginNested(EXPR_DATA);
        r.attrBe32(IMMEDIATE_DREG, NFT_REG_VERDICT);
        int data = r.beginNested(IMMEDIATE_DATA);
        int v = r.beginNested(DATA_VERDICT);
        r.attrBe32(VERDICT_CODE, code);
        if (chain != null) {
            r.attrString(VERDICT_CHAIN, chain);
        }
        r.endNested(v).endNested(data);
        return end(e, d);
    }

    /** Closes the list. */
    void end() {
        r.endNested(list);
    }
}
