package podnet.linux.nftables;

import static podnet.linux.nftables.NfTables.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.nl.NlRequest;

/**
 * A rule's expression list, written as nft(8) writes it. Everything works in register 1, the
 * way nft's own output does: load, then compare or look up.
 */
final class Expressions {
    private final List<Consumer<NlRequest>> exprs = new ArrayList<>();

    private Expressions add(String name, Consumer<NlRequest> data) {
        exprs.add(r -> {
            int e = r.beginNested(LIST_ELEM);
            r.attrString(EXPR_NAME, name);
            int d = r.beginNested(EXPR_DATA);
            data.accept(r);
            r.endNested(d).endNested(e);
        });
        return this;
    }

    /** meta load nfproto => reg 1 (IPv4 or IPv6 inside an inet table). */
    Expressions metaNfproto() {
        return add("meta", r -> r.attrBe32(META_KEY, NFT_META_NFPROTO).attrBe32(META_DREG, NFT_REG_1));
    }

    Expressions cmp(int op, byte[] value) {
        return add("cmp", r -> {
            r.attrBe32(CMP_SREG, NFT_REG_1).attrBe32(CMP_OP, op);
            int d = r.beginNested(CMP_DATA);
            r.attr(DATA_VALUE, value);
            r.endNested(d);
        });
    }

    /** payload load LEN bytes at network header + OFFSET => reg 1. */
    Expressions payload(int offset, int len) {
        return add("payload", r -> r.attrBe32(PAYLOAD_DREG, NFT_REG_1)
                .attrBe32(PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER)
                .attrBe32(PAYLOAD_OFFSET, offset)
                .attrBe32(PAYLOAD_LEN, len));
    }

    /** reg 1 = (reg 1 &amp; mask) ^ 0. */
    Expressions bitwiseMask(byte[] mask) {
        return add("bitwise", r -> {
            r.attrBe32(BITWISE_SREG, NFT_REG_1).attrBe32(BITWISE_DREG, NFT_REG_1)
                    .attrBe32(BITWISE_LEN, mask.length);
            int m = r.beginNested(BITWISE_MASK);
            r.attr(DATA_VALUE, mask).endNested(m);
            int x = r.beginNested(BITWISE_XOR);
            r.attr(DATA_VALUE, new byte[mask.length]).endNested(x);
        });
    }

    /** lookup reg 1 in a set, named and (when created in the same batch) by its batch id. */
    Expressions lookup(String set, int setId) {
        return add("lookup", r -> r.attrBe32(LOOKUP_SREG, NFT_REG_1).attrString(LOOKUP_SET, set)
                .attrBe32(LOOKUP_SET_ID, setId));
    }

    Expressions masquerade() {
        return add("masq", r -> {});
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

    void writeTo(NlRequest r, int attrType) {
        int list = r.beginNested(attrType);
        exprs.forEach(e -> e.accept(r));
        r.endNested(list);
    }
}
