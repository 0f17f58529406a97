package podnet.linux.netlink.nl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class NlAttrsTest {
    private static ByteBuffer bytes(String hex) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(hex)).order(ByteOrder.nativeOrder());
    }

    @Test
    void parsesAttributesInOrderAndStripsTheFlagBits() {
        // u32 type 1 = 7; nested (0x8002) holding u8 type 3 = 9; type 4 flagged NET_BYTEORDER.
        NlAttrs a = NlAttrs.parse(bytes("0800010007000000" + "0c000280" + "0500030009000000"
                + "06000440" + "12b50000"), 0);
        assertThat(a.all()).extracting(NlAttrs.Attr::type).containsExactly(1, 2, 4);
        assertThat(a.u32(1)).isEqualTo(7);
        assertThat(a.nested(2).u8(3)).isEqualTo(9);
        assertThat(a.be16(4)).isEqualTo(4789);
    }

    @Test
    void repeatedAttributesAreAllKept() {
        NlAttrs a = NlAttrs.parse(bytes("0800010001000000" + "0800010002000000"), 0);
        assertThat(a.all(1)).extracting(b -> b.getInt(0)).containsExactly(1, 2);
        assertThat(a.u32(1)).as("the first wins").isEqualTo(1);
    }

    @Test
    void aLengthPastTheEndDropsTheTailOnly() {
        NlAttrs a = NlAttrs.parse(bytes("0800010007000000" + "4000020001020304"), 0);
        assertThat(a.all()).hasSize(1);
        assertThat(a.u32(1)).isEqualTo(7);
    }

    @Test
    void aLengthBelowTheHeaderStopsParsing() {
        NlAttrs a = NlAttrs.parse(bytes("0800010007000000" + "0200020000000000" + "0800030001000000"), 0);
        assertThat(a.all()).extracting(NlAttrs.Attr::type).containsExactly(1);
    }

    @Test
    void aTailShorterThanAHeaderIsIgnored() {
        assertThat(NlAttrs.parse(bytes("0800010007000000" + "0800"), 0).all()).hasSize(1);
        assertThat(NlAttrs.parse(bytes(""), 0).all()).isEmpty();
        assertThat(NlAttrs.parse(bytes("05"), 0).all()).isEmpty();
    }

    @Test
    void theLastAttributeNeedsNoPadding() {
        NlAttrs a = NlAttrs.parse(bytes("0800010007000000" + "050002002a"), 0);
        assertThat(a.u8(2)).isEqualTo(42);
    }

    @Test
    void aMalformedNestedAttributeGivesWhatParsed() {
        NlAttrs a = NlAttrs.parse(bytes("10000180" + "0500030009000000" + "ff000400"), 0);
        assertThat(a.nested(1).u8(3)).isEqualTo(9);
        assertThat(a.nested(1).all()).hasSize(1);
        assertThat(a.nested(99).all()).as("absent nest").isEmpty();
    }

    @Test
    void valuesTooShortForTheirTypeReadAsAbsent() {
        NlAttrs a = NlAttrs.parse(bytes("0500010001000000" + "0600020001000000" + "0400030000000000"), 0);
        assertThat(a.u32(1)).isNull();
        assertThat(a.u16(1)).isNull();
        assertThat(a.u8(1)).isEqualTo(1);
        assertThat(a.u64(2)).isNull();
        assertThat(a.u8(3)).isNull();
        assertThat(a.u32(3, -1)).isEqualTo(-1);
        assertThat(a.address(2)).as("neither 4 nor 16 bytes").isNull();
        assertThat(a.u32(42)).isNull();
        assertThat(a.string(42)).isNull();
        assertThat(a.bytes(42)).isNull();
    }

    @Test
    void stringsEndAtTheFirstNulOrTheValue() {
        NlAttrs a = NlAttrs.parse(bytes("0900010065746830000000000700020061626300"), 0);
        assertThat(a.string(1)).isEqualTo("eth0");
        assertThat(a.string(2)).as("unterminated").isEqualTo("abc");
    }

    @Test
    void parsesFromAnOffsetAndLeavesTheBufferAlone() {
        ByteBuffer b = bytes("aabbccdd" + "0800010007000000");
        b.position(2);
        NlAttrs a = NlAttrs.parse(b, 4);
        assertThat(a.u32(1)).isEqualTo(7);
        assertThat(b.position()).isEqualTo(2);
    }

    @Test
    void alignRoundsUpToFour() {
        assertThat(NlAttrs.align(0)).isZero();
        assertThat(NlAttrs.align(1)).isEqualTo(4);
        assertThat(NlAttrs.align(4)).isEqualTo(4);
        assertThat(NlAttrs.align(13)).isEqualTo(16);
    }
}
