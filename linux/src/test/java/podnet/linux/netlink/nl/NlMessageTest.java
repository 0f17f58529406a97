package podnet.linux.netlink.nl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;
import podnet.linux.testing.HexFixtures;

class NlMessageTest {
    @Test
    void splitsAKernelDumpDatagramIntoItsMessages() {
        // A link dump of a namespace with lo, a bridge and a veth: lo and br0 fill the first
        // datagram, veth0 comes in a second, then NLMSG_DONE in a third.
        List<ByteBuffer> datagrams = HexFixtures.datagrams("links.hex");
        assertThat(datagrams).hasSize(3);
        List<NlMessage> first = NlMessage.parseAll(datagrams.get(0));
        assertThat(first).hasSize(2).allSatisfy(m -> {
            assertThat(m.type()).isEqualTo(Rtm.NEWLINK);
            assertThat(m.hasFlag(NlMessage.NLM_F_MULTI)).isTrue();
            assertThat(m.seq()).isEqualTo(0x1234);
        });
        int total = first.stream().mapToInt(m -> NlAttrs.align(NlMessage.HEADER_LEN + m.payload().remaining())).sum();
        assertThat(total).isEqualTo(datagrams.get(0).remaining());

        assertThat(NlMessage.parseAll(datagrams.get(1))).singleElement()
                .extracting(NlMessage::type).isEqualTo(Rtm.NEWLINK);
        List<NlMessage> done = NlMessage.parseAll(datagrams.get(2));
        assertThat(done).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(NlMessage.NLMSG_DONE);
            assertThat(m.payload().getInt(0)).isZero();
        });
    }

    @Test
    void aRouteDumpPacksManyMessagesInOneDatagram() {
        List<ByteBuffer> datagrams = HexFixtures.datagrams("routes.hex");
        assertThat(datagrams).hasSize(2);
        assertThat(NlMessage.parseAll(datagrams.get(0))).hasSizeGreaterThan(10)
                .allSatisfy(m -> assertThat(m.type()).isEqualTo(Rtm.NEWROUTE));
        assertThat(HexFixtures.messages("routes.hex").getLast().type()).isEqualTo(NlMessage.NLMSG_DONE);
    }

    @Test
    void payloadsAreIndependentReadOnlyViewsAtZero() {
        NlMessage m = NlMessage.parseAll(HexFixtures.datagrams("links.hex").get(0)).get(1);
        assertThat(m.payload().position()).isZero();
        assertThat(m.payload().isReadOnly()).isTrue();
        assertThat(m.payload().order()).isEqualTo(ByteOrder.nativeOrder());
        assertThat(m.payload().getInt(4)).as("ifi_index of br0").isEqualTo(2);
    }

    @Test
    void aTruncatedLastMessageIsDropped() {
        ByteBuffer d = HexFixtures.datagrams("links.hex").get(0);
        ByteBuffer cut = d.slice(0, d.remaining() - 10).order(ByteOrder.nativeOrder());
        assertThat(NlMessage.parseAll(cut)).hasSize(1);
    }

    @Test
    void aBogusLengthStopsParsing() {
        ByteBuffer b = ByteBuffer.allocate(48).order(ByteOrder.nativeOrder());
        b.putInt(0, 20).putShort(4, (short) 3); // NLMSG_DONE, 4 bytes of payload
        b.putInt(20, 8); // shorter than a header
        assertThat(NlMessage.parseAll(b)).singleElement().extracting(NlMessage::type).isEqualTo(NlMessage.NLMSG_DONE);
        assertThat(NlMessage.parseAll(ByteBuffer.allocate(10))).isEmpty();
    }

    @Test
    void attrsSkipTheAlignedFamilyHeader() {
        NlMessage m = HexFixtures.messages("links.hex").get(0);
        assertThat(m.attrs(Rtm.IFINFOMSG_LEN).string(3)).isEqualTo("lo");
    }
}
