package podnet.linux.netlink.nl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import podnet.linux.inet.Cidr;

class NlRequestTest {
    private static String hex(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return HexFormat.of().formatHex(out);
    }

    private static ByteBuffer le(String hex) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(hex)).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void fillsTheHeaderAndPadsAStringAttribute() {
        // ip link show dev eth0: ifinfomsg + IFLA_IFNAME "eth0\0" (9 bytes, padded to 12).
        ByteBuffer b = Rtm.ifinfomsg(Rtm.GETLINK, NlMessage.NLM_F_REQUEST, 0, 0, 0, 0)
                .attrString(3, "eth0").toBytes(0x01020304, 0x77);
        assertThat(hex(b)).isEqualTo(
                "2c000000" + "1200" + "0100" + "04030201" + "77000000" // nlmsghdr
                + "00000000" + "00000000" + "00000000" + "00000000" // ifinfomsg
                + "0900" + "0300" + "6574683000" + "000000"); // IFLA_IFNAME, 3 bytes of padding
    }

    @Test
    void nestedAttributesCountTheirPaddedChildrenAndCarryNlaFNested() {
        NlRequest r = Rtm.ifinfomsg(Rtm.NEWLINK, 0, 0, 0, 0, 0);
        int info = r.beginNested(18); // IFLA_LINKINFO
        r.attrString(1, "veth"); // 9 bytes + 3 padding
        int data = r.beginNested(2);
        r.attrU8(7, 1); // 5 bytes + 3 padding
        r.endNested(data);
        r.endNested(info);
        ByteBuffer b = r.toBytes(1, 0);
        ByteBuffer attrs = b.slice(32, b.limit() - 32).order(ByteOrder.nativeOrder());
        assertThat(Short.toUnsignedInt(attrs.getShort(0))).as("IFLA_LINKINFO length").isEqualTo(4 + 12 + 4 + 8);
        assertThat(Short.toUnsignedInt(attrs.getShort(2))).isEqualTo(18 | NlAttrs.NLA_F_NESTED);
        assertThat(Short.toUnsignedInt(attrs.getShort(16))).as("IFLA_INFO_DATA length").isEqualTo(12);
        assertThat(b.getInt(0)).isEqualTo(b.limit()).isEqualTo(16 + 16 + 28);

        NlAttrs parsed = NlAttrs.parse(b, 32);
        assertThat(parsed.nested(18).string(1)).isEqualTo("veth");
        assertThat(parsed.nested(18).nested(2).u8(7)).isEqualTo(1);
    }

    @Test
    void rawNestHasNoNestedFlagAndCanHoldAFixedStruct() {
        NlRequest r = new NlRequest(Rtm.NEWLINK, 0);
        int peer = r.beginRaw(1);
        r.u8(0).u8(0).u16(0).u32(0).u32(0).u32(0); // struct ifinfomsg of the peer
        r.attrString(3, "p");
        r.endNested(peer);
        ByteBuffer b = r.toBytes(1, 0);
        assertThat(Short.toUnsignedInt(b.getShort(16))).isEqualTo(4 + 16 + 8);
        assertThat(Short.toUnsignedInt(b.getShort(18))).isEqualTo(1);
    }

    @Test
    void aOneByteFixedHeaderIsPaddedBeforeTheFirstAttribute() {
        // RTM_GETNSID: struct rtgenmsg (1 byte), then NETNSA_FD.
        ByteBuffer b = new NlRequest(Rtm.GETNSID, 0).u8(0).alignHeader().attrU32(3, 9).toBytes(5, 0);
        assertThat(hex(b)).isEqualTo("1c000000" + "5a00" + "0000" + "05000000" + "00000000"
                + "00000000" + "0800" + "0300" + "09000000");
    }

    @Test
    void numbersAreNativeOrderExceptTheBigEndianOnes() {
        ByteBuffer b = new NlRequest(1, 0).attrU16(1, 0x1234).attrBe16(2, 4789).attrU32(3, 1)
                .attrBe32(4, 1).attrU64(5, 0x0102030405060708L).attrFlag(6).toBytes(0, 0);
        NlAttrs a = NlAttrs.parse(b, 16);
        assertThat(a.u16(1)).isEqualTo(0x1234);
        assertThat(a.be16(2)).isEqualTo(4789);
        assertThat(hex(a.get(2))).isEqualTo("12b5");
        assertThat(a.u32(3)).isEqualTo(1);
        assertThat(hex(a.get(4))).isEqualTo("00000001");
        assertThat(a.u64(5)).isEqualTo(0x0102030405060708L);
        assertThat(a.has(6)).isTrue();
        assertThat(a.get(6).remaining()).isZero();
        assertThat(b.limit() % 4).isZero();
    }

    @Test
    void addressesAreWrittenAsTheirRawBytes() {
        ByteBuffer b = new NlRequest(1, 0).attrAddress(1, Cidr.parseAddress("10.1.2.3"))
                .attrAddress(2, Cidr.parseAddress("fd00::1")).toBytes(0, 0);
        NlAttrs a = NlAttrs.parse(b, 16);
        assertThat(a.address(1)).isEqualTo(Cidr.parseAddress("10.1.2.3"));
        assertThat(a.address(2)).isEqualTo(Cidr.parseAddress("fd00::1"));
        assertThat(hex(a.get(1))).isEqualTo("0a010203");
    }

    @Test
    void growsPastItsInitialBuffer() {
        NlRequest r = new NlRequest(1, 0);
        for (int i = 0; i < 100; i++) {
            r.attr(i, new byte[37]);
        }
        ByteBuffer b = r.toBytes(0, 0);
        assertThat(b.getInt(0)).isEqualTo(16 + 100 * 44);
        assertThat(NlAttrs.parse(b, 16).all()).hasSize(100);
    }

    @Test
    void canBeSentAgainWithANewSequenceNumber() {
        NlRequest r = new NlRequest(Rtm.GETLINK, NlMessage.NLM_F_DUMP).u8(0).alignHeader();
        ByteBuffer first = r.toBytes(1, 0);
        r.addFlags(NlMessage.NLM_F_REQUEST);
        ByteBuffer second = r.toBytes(2, 0);
        assertThat(second.getInt(8)).isEqualTo(2);
        assertThat(second.getShort(6)).isEqualTo((short) (NlMessage.NLM_F_DUMP | NlMessage.NLM_F_REQUEST));
        assertThat(second.limit()).isEqualTo(first.limit()).isEqualTo(20);
        assertThat(le("14000000").getInt(0)).isEqualTo(20);
    }

    @Test
    void rejectsAnAttributeTooLongForItsLengthField() {
        assertThatThrownBy(() -> new NlRequest(1, 0).attr(1, new byte[70000]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("70000");
        NlRequest r = new NlRequest(1, 0);
        int nest = r.beginNested(1);
        for (int i = 0; i < 3; i++) {
            r.attr(2, new byte[30000]);
        }
        assertThatThrownBy(() -> r.endNested(nest)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nested");
    }
}
