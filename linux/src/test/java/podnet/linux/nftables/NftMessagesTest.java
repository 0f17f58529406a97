package podnet.linux.nftables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.NlRequest;

/**
 * Our nf_tables messages against the batches nft(8) 1.0.6 sent for the same objects (captured
 * with {@code capture-fixtures.sh} under strace). No root needed. Compared: message type,
 * nfgenmsg and every attribute byte for byte; flags up to our added NLM_F_ACK. Ignored: the
 * sequence numbers and, for element messages, the NFTA_SET_ELEM_LIST_SET_ID nft adds (the set
 * exists already; the kernel looks it up by name).
 */
class NftMessagesTest {
    private static final int INET = NfTables.NFPROTO_INET;

    @Test
    void table() {
        assertLikeNft("table", NftMessages.newTable(INET, "podnet"));
    }

    @Test
    void natPostroutingChain() {
        assertLikeNft("chain", NftMessages.newNatPostroutingChain(INET, "podnet", "postrouting", 100));
    }

    @Test
    void addressSets() {
        assertLikeNft("set4", NftMessages.newAddressSet(INET, "podnet", "pn4-mynet", false, 1));
        assertLikeNft("set6", NftMessages.newAddressSet(INET, "podnet", "pn6-mynet", true, 1));
    }

    @Test
    void ipv4RuleWithByteAlignedSubnet() {
        assertRuleLikeNft("rule4", "pn4-mynet", "10.244.2.0/24", 1);
    }

    @Test
    void ipv4RuleWithOtherSubnet() {
        assertRuleLikeNft("rule4-20", "pn4-mynet", "10.244.0.0/20", 1);
    }

    @Test
    void ipv6Rules() {
        assertRuleLikeNft("rule6", "pn6-mynet", "fd00:10:244::/64", 2);
        assertRuleLikeNft("rule6-60", "pn6-mynet", "fd00:10:244::/60", 2);
    }

    @Test
    void ruleFromAnInterfaceAddressUsesItsNetwork() {
        assertRuleLikeNft("rule4", "pn4-mynet", "10.244.2.1/24", 1);
    }

    @Test
    void setElements() {
        Set<Integer> setId = Set.of(NfTables.SET_ELEM_LIST_ELEMENTS + 1); // NFTA_SET_ELEM_LIST_SET_ID
        assertLikeNft("elem4", NftMessages.newSetElement(INET, "podnet", "pn4-mynet",
                Cidr.parseAddress("10.244.2.5")), setId);
        assertLikeNft("elem6", NftMessages.newSetElement(INET, "podnet", "pn6-mynet",
                Cidr.parseAddress("fd00:10:244::5")), setId);
        assertLikeNft("delelem4", NftMessages.delSetElement(INET, "podnet", "pn4-mynet",
                Cidr.parseAddress("10.244.2.5")), setId);
    }

    @Test
    void deletions() {
        long handle = Long.parseLong(fixtureText("delrule.handle").trim());
        assertLikeNft("delrule", NftMessages.delRule(INET, "podnet", "postrouting", handle));
        assertLikeNft("delset4", NftMessages.delSet(INET, "podnet", "pn4-mynet"));
    }

    @Test
    void batchBeginAndEnd() {
        List<NlMessage> nft = fixture("table");
        assertThat(hex(bytes(NftMessages.batchBegin(0), nft.get(0).seq()))).isEqualTo(hex(raw(nft.get(0))));
        assertThat(hex(bytes(NftMessages.batchEnd(), nft.get(2).seq()))).isEqualTo(hex(raw(nft.get(2))));
        // With a generation id the begin message carries NFNL_BATCH_GENID, big endian.
        NlMessage begin = NlMessage.parseAll(NftMessages.batchBegin(0x01020304).toBytes(1, 0)).get(0);
        assertThat(HexFormat.of().formatHex(begin.attrs(4).bytes(NfTables.NFNL_BATCH_GENID))).isEqualTo("01020304");
    }

    @Test
    void commentUserdataRoundTrip() {
        byte[] u = NftMessages.commentUserdata("podnet pn4-mynet 10.244.2.0/24");
        assertThat(u[0]).isZero();
        assertThat(u[1]).isEqualTo((byte) 31);
        assertThat(NftMessages.commentOf(u)).isEqualTo("podnet pn4-mynet 10.244.2.0/24");
        assertThat(NftMessages.commentOf(null)).isNull();
        assertThat(NftMessages.commentOf(new byte[] {0, 40, 'x'})).as("truncated").isNull();
        assertThat(NftMessages.commentOf(new byte[] {5, 1, 0, 0, 2, 'a', 0})).as("after another TLV").isEqualTo("a");
        assertThatThrownBy(() -> NftMessages.commentUserdata("x".repeat(300)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- helpers --------------------------------------------------------------------------

    private void assertRuleLikeNft(String fixture, String set, String subnet, int setId) {
        MasqueradeRule rule = new MasqueradeRule(set, Cidr.parse(subnet));
        assertLikeNft(fixture, NftMessages.newRule(INET, "podnet", "postrouting", rule, setId));
    }

    private void assertLikeNft(String fixture, NlRequest ours) {
        assertLikeNft(fixture, ours, Set.of());
    }

    /** The fixture is BEGIN, one change, END; compares the change with ours. */
    private void assertLikeNft(String fixture, NlRequest ours, Set<Integer> ignoredAttrs) {
        List<NlMessage> batch = fixture(fixture);
        assertThat(batch).hasSize(3);
        assertThat(batch.get(0).type()).isEqualTo(NfTables.NFNL_MSG_BATCH_BEGIN);
        assertThat(batch.get(2).type()).isEqualTo(NfTables.NFNL_MSG_BATCH_END);
        NlMessage nft = batch.get(1);
        NlMessage mine = NlMessage.parseAll(ours.addFlags(NlMessage.NLM_F_REQUEST).toBytes(nft.seq(), 0)).get(0);
        assertThat(mine.type()).as("type").isEqualTo(nft.type());
        assertThat(mine.flags() & ~NlMessage.NLM_F_ACK).as("flags").isEqualTo(nft.flags());
        assertThat(mine.hasFlag(NlMessage.NLM_F_ACK)).as("asks for an ACK").isTrue();
        assertThat(hex(payload(mine))).as(fixture).isEqualTo(hex(withoutAttrs(payload(nft), ignoredAttrs)));
    }

    private static List<NlMessage> fixture(String name) {
        byte[] b = HexFormat.of().parseHex(fixtureText(name + ".hex").trim());
        return NlMessage.parseAll(ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()));
    }

    private static String fixtureText(String name) {
        try (InputStream in = NftMessagesTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new AssertionError("missing fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] payload(NlMessage m) {
        byte[] b = new byte[m.payload().remaining()];
        m.payload().duplicate().get(b);
        return b;
    }

    private static byte[] raw(NlMessage m) {
        ByteBuffer b = ByteBuffer.allocate(NlMessage.HEADER_LEN + m.payload().remaining()).order(ByteOrder.nativeOrder());
        b.putInt(b.capacity()).putShort((short) m.type()).putShort((short) m.flags()).putInt(m.seq()).putInt(m.pid());
        b.put(m.payload().duplicate());
        return b.array();
    }

    private static byte[] bytes(NlRequest r, int seq) {
        ByteBuffer b = r.addFlags(NlMessage.NLM_F_REQUEST).toBytes(seq, 0);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** The nfgenmsg header and top-level attributes, minus the given attribute types. */
    private static byte[] withoutAttrs(byte[] payload, Set<Integer> ignored) {
        ByteBuffer in = ByteBuffer.wrap(payload).order(ByteOrder.nativeOrder());
        ByteBuffer out = ByteBuffer.allocate(payload.length);
        out.put(payload, 0, 4);
        int pos = 4;
        while (pos + 4 <= payload.length) {
            int len = Short.toUnsignedInt(in.getShort(pos));
            int type = Short.toUnsignedInt(in.getShort(pos + 2)) & 0x3fff;
            int aligned = Math.min((len + 3) & ~3, payload.length - pos);
            if (!ignored.contains(type)) {
                out.put(payload, pos, aligned);
            }
            pos += aligned;
        }
        byte[] b = new byte[out.position()];
        out.flip().get(b);
        return b;
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
