package podnet.linux.netlink.nl;

import podnet.linux.netlink.NetlinkException;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;
import podnet.linux.sys.Errno;
import podnet.linux.testing.HexFixtures;

/** NLMSG_ERROR (and failed NLMSG_DONE) into a NetlinkException with the kernel's ext-ack text. */
class NetlinkErrorTest {
    private static final String TEXT = "ipv4: Address already assigned";

    @Test
    void aCappedErrorAsTheKernelSendsIt() {
        // Captured: RTM_NEWADDR of an address br0 already had, NETLINK_CAP_ACK + NETLINK_EXT_ACK on.
        NlMessage m = HexFixtures.messages("error-eexist.hex").getFirst();
        assertThat(m.type()).isEqualTo(NlMessage.NLMSG_ERROR);
        assertThat(m.hasFlag(NlMessage.NLM_F_CAPPED)).isTrue();
        assertThat(m.hasFlag(NlMessage.NLM_F_ACK_TLVS)).isTrue();

        NetlinkException e = NetlinkSocket.error("add address 10.244.2.1/24 dev br0", m);
        assertThat(e.errno()).isEqualTo(Errno.EEXIST);
        assertThat(e.errnoName()).isEqualTo("EEXIST");
        assertThat(e.kernelMessage()).isEqualTo(TEXT);
        assertThat(e).hasMessage("add address 10.244.2.1/24 dev br0: EEXIST (File exists): " + TEXT);
    }

    @Test
    void anUncappedErrorCarriesTheWholeRequestBeforeItsTlvs() {
        // The original request: 16-byte header + 8-byte ifaddrmsg + two 8-byte attributes = 40.
        ByteBuffer request = ByteBuffer.allocate(40).order(ByteOrder.nativeOrder());
        request.putInt(0, 40).putShort(4, (short) Rtm.NEWADDR).putInt(8, 7);
        request.putShort(24, (short) 8).putShort(26, (short) 2).putShort(32, (short) 8).putShort(34, (short) 1);
        NlMessage m = error(-Errno.EEXIST, NlMessage.NLM_F_ACK_TLVS, request, tlvs(TEXT, 24));
        NetlinkException e = NetlinkSocket.error("add", m);
        assertThat(e.errno()).isEqualTo(Errno.EEXIST);
        assertThat(e.kernelMessage()).isEqualTo(TEXT);
    }

    @Test
    void anUncappedRequestOfOddLengthIsAlignedBeforeTheTlvs() {
        ByteBuffer request = ByteBuffer.allocate(21).order(ByteOrder.nativeOrder());
        request.putInt(0, 21).putShort(4, (short) Rtm.GETNSID);
        NlMessage m = error(-Errno.EINVAL, NlMessage.NLM_F_ACK_TLVS, request, tlvs("bad nsid", -1));
        assertThat(NetlinkSocket.error("get nsid", m).kernelMessage()).isEqualTo("bad nsid");
    }

    @Test
    void withoutAckTlvsThereIsNoText() {
        ByteBuffer request = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        request.putInt(0, 16);
        NlMessage m = error(-Errno.ENODEV, NlMessage.NLM_F_CAPPED, request, ByteBuffer.allocate(0));
        NetlinkException e = NetlinkSocket.error("get link eth9", m);
        assertThat(e.errno()).isEqualTo(Errno.ENODEV);
        assertThat(e.kernelMessage()).isNull();
        assertThat(e).hasMessage("get link eth9: ENODEV (No such device)");
    }

    @Test
    void aLyingEmbeddedLengthGivesNoTextInsteadOfAnException() {
        for (int bogus : new int[] {-1, 3, 100_000}) {
            ByteBuffer request = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
            request.putInt(0, bogus);
            NlMessage m = error(-Errno.EINVAL, NlMessage.NLM_F_ACK_TLVS, request, tlvs(TEXT, -1));
            NetlinkException e = NetlinkSocket.error("x", m);
            assertThat(e.errno()).isEqualTo(Errno.EINVAL);
            assertThat(e.kernelMessage()).as("embedded length %d", bogus).isNull();
        }
    }

    @Test
    void aTruncatedErrorIsStillAnError() {
        NlMessage shortOne = new NlMessage(NlMessage.NLMSG_ERROR, NlMessage.NLM_F_ACK_TLVS, 1, 0,
                ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()));
        NetlinkException e = NetlinkSocket.error("x", shortOne);
        assertThat(e.errno()).isEqualTo(Errno.EIO);
        assertThat(e.getMessage()).contains("malformed");
    }

    @Test
    void aFailedDumpEndsWithDoneCarryingTheErrorAndTlvs() {
        ByteBuffer tl = tlvs("filter not supported", -1);
        ByteBuffer p = ByteBuffer.allocate(4 + tl.remaining()).order(ByteOrder.nativeOrder());
        p.putInt(0, -Errno.EOPNOTSUPP).put(4, tl, 0, tl.remaining());
        NlMessage m = new NlMessage(NlMessage.NLMSG_DONE, NlMessage.NLM_F_MULTI | NlMessage.NLM_F_ACK_TLVS, 1, 0, p);
        NetlinkException e = NetlinkSocket.error("list", m);
        assertThat(e.errno()).isEqualTo(Errno.EOPNOTSUPP);
        assertThat(e.kernelMessage()).isEqualTo("filter not supported");
    }

    /** NLMSGERR_ATTR_MSG text, and NLMSGERR_ATTR_OFFS when {@code offset} ≥ 0. */
    private static ByteBuffer tlvs(String text, int offset) {
        var r = new NlRequest(0, 0).attrString(1, text);
        if (offset >= 0) {
            r.attrU32(2, offset);
        }
        ByteBuffer b = r.toBytes(0, 0);
        return b.slice(16, b.limit() - 16).order(ByteOrder.nativeOrder());
    }

    /** struct nlmsgerr { int error; struct nlmsghdr msg; } + the request's payload unless capped, then TLVs. */
    private static NlMessage error(int err, int flags, ByteBuffer request, ByteBuffer tlvs) {
        int embedded = (flags & NlMessage.NLM_F_CAPPED) != 0 ? 16 : NlAttrs.align(request.remaining());
        ByteBuffer p = ByteBuffer.allocate(4 + embedded + tlvs.remaining()).order(ByteOrder.nativeOrder());
        p.putInt(0, err);
        p.put(4, request, 0, Math.min(request.remaining(), embedded));
        p.put(4 + embedded, tlvs, 0, tlvs.remaining());
        List<NlMessage> parsed = List.of(new NlMessage(NlMessage.NLMSG_ERROR, flags, 1, 0, p));
        return parsed.getFirst();
    }
}
