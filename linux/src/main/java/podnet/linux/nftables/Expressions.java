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
        return payload(NFT_PAYLOAD_NETWORK_HEADER, offset, len);
    }

    /** payload load LEN bytes at link-layer header + OFFSET => reg 1 (e.g. 6 at 6: ether saddr). */
    Expressions linkLayerPayload(int offset, int len) {
        return payload(NFT_PAYLOAD_LL_HEADER, offset, len);
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
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, "immediate");
        int d = r.beginNested(EXPR_DATA);
        r.attrBe32(IMMEDIATE_DREG, NFT_REG_VERDICT);
        int data = r.beginNested(IMMEDIATE_DATA);
        int v = r.beginNested(DATA_VERDICT);
        r.attrBe32(VERDICT_CODE, code).endNested(v).endNested(data);
        return end(e, d);
    }

    /** reg 1 = (reg 1 &amp; mask) ^ 0. */
    Expressions bitwiseMask(byte[] mask) {
        int e = r.beginNested(LIST_ELEM);
        r.attrString(EXPR_NAME, "bitwise");
        int d = r.beginNested(EXPR_DATA);
        r.attrBe32(BITWISE_SREG, NFT_REG_1).attrBe32(BITWISE_DREG, NFT_REG_1).attrBe32(BITWISE_LEN, mask.length);
        int m = r.beginNested(BITWISE_MASK);
        r.attr(DATA_VALUE, mask).endNested(m);
        int x = r.beginNested(BITWISE_XOR);
        r.attr(DATA_VALUE, new byte[mask.length]).endNested(x);
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

    /** Closes the list. */
    void end() {
        r.endNested(list);
    }
}
