package podnet.linux.netlink.nl;

import podnet.linux.netlink.NetlinkException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import podnet.linux.sys.Errno;

/**
 * The request/ACK and dump logic of {@link NetlinkSocket} against a scripted kernel: sequence
 * matching, stray replies, multipart dumps, NLM_F_DUMP_INTR retries, errors in DONE.
 */
class NetlinkSocketTest {
    /** A fake kernel: each received datagram is produced from the sequence number last sent. */
    static final class ScriptedKernel implements NetlinkSocket.Transport {
        final List<ByteBuffer> sent = new ArrayList<>();
        final Deque<IntFunction<List<NlMessage>>> script = new ArrayDeque<>();

        ScriptedKernel then(IntFunction<List<NlMessage>> datagram) {
            script.add(datagram);
            return this;
        }

        int lastSeq() {
            return sent.getLast().getInt(8);
        }

        int lastFlags() {
            return Short.toUnsignedInt(sent.getLast().getShort(6));
        }

        @Override
        public void send(ByteBuffer datagram) {
            ByteBuffer copy = ByteBuffer.allocate(datagram.remaining()).order(ByteOrder.nativeOrder());
            copy.put(datagram.duplicate()).flip();
            sent.add(copy);
        }

        @Override
        public List<NlMessage> receive() {
            if (script.isEmpty()) {
                throw new AssertionError("the socket waited for more than the kernel sent");
            }
            return script.poll().apply(lastSeq());
        }

        @Override
        public void close() {}
    }

    static NlMessage msg(int type, int flags, int seq, int... ints) {
        ByteBuffer p = ByteBuffer.allocate(4 * Math.max(ints.length, 1)).order(ByteOrder.nativeOrder());
        for (int i = 0; i < ints.length; i++) {
            p.putInt(4 * i, ints[i]);
        }
        return new NlMessage(type, flags, seq, 0, p);
    }

    static NlMessage ack(int seq) {
        return msg(NlMessage.NLMSG_ERROR, NlMessage.NLM_F_CAPPED, seq, 0, 16, 0, 0, 0);
    }

    static NlMessage done(int seq) {
        return msg(NlMessage.NLMSG_DONE, NlMessage.NLM_F_MULTI, seq, 0);
    }

    static NlMessage link(int seq, int flags, int index) {
        return msg(Rtm.NEWLINK, NlMessage.NLM_F_MULTI | flags, seq, 0, index, 0, 0);
    }

    @Test
    void aRequestIsFlaggedAndReturnsWhatCameBeforeItsAck() {
        ScriptedKernel k = new ScriptedKernel()
                .then(seq -> List.of(ack(seq - 1), msg(NlMessage.NLMSG_ERROR, 0, seq - 2, -Errno.EEXIST, 16)))
                .then(seq -> List.of(link(seq, 0, 7)))
                .then(seq -> List.of(ack(seq)));
        try (NetlinkSocket s = new NetlinkSocket(NetlinkSocket.NETLINK_ROUTE, k)) {
            List<NlMessage> replies = s.request(Rtm.ifinfomsg(Rtm.GETLINK, 0, 0, 7, 0, 0), "get link #7");
            assertThat(replies).singleElement().satisfies(m -> assertThat(m.payload().getInt(4)).isEqualTo(7));
        }
        assertThat(k.lastFlags()).isEqualTo(NlMessage.NLM_F_REQUEST | NlMessage.NLM_F_ACK);
        assertThat(k.script).isEmpty();
    }

    @Test
    void eachRequestGetsAFreshSequenceNumber() {
        ScriptedKernel k = new ScriptedKernel().then(seq -> List.of(ack(seq))).then(seq -> List.of(ack(seq)));
        try (NetlinkSocket s = new NetlinkSocket(NetlinkSocket.NETLINK_ROUTE, k)) {
            s.request(new NlRequest(Rtm.NEWLINK, 0), "a");
            s.request(new NlRequest(Rtm.NEWLINK, 0), "b");
        }
        assertThat(k.sent.get(1).getInt(8)).isNotEqualTo(k.sent.get(0).getInt(8));
    }

    @Test
    void anErrorForOurSequenceIsThrownWithWhatFailed() {
        ScriptedKernel k = new ScriptedKernel()
                .then(seq -> List.of(msg(NlMessage.NLMSG_ERROR, NlMessage.NLM_F_CAPPED, seq, -Errno.ENODEV, 16, 0, 0, 0)));
        try (NetlinkSocket s = new NetlinkSocket(NetlinkSocket.NETLINK_ROUTE, k)) {
            assertThatThrownBy(() -> s.request(new NlRequest(Rtm.NEWLINK, 0), "set link eth9 up"))
                    .isInstanceOf(NetlinkException.class).hasMessage("set link eth9 up: ENODEV (No such device)");
        }
    }

    @Test
    void aDumpCollectsEveryDatagramUntilDone() {
        ScriptedKernel k = new ScriptedKernel()
                .then(seq -> List.of(link(seq, 0, 1), link(seq, 0, 2)))
                .then(seq -> List.of(link(seq - 5, 0, 99), link(seq, 0, 3)))
                .then(seq -> List.of(done(seq)));
        try (NetlinkSocket s = new NetlinkSocket(NetlinkSocket.NETLINK_ROUTE, k)) {
            List<NlMessage> all = s.dump(Rtm.ifinfomsg(Rtm.GETLINK, 0, 0, 0, 0, 0), "list links");
            assertThat(all).extracting(m -> m.payload().getInt(4)).containsExactly(1, 2, 3);
        }
        assertThat(k.lastFlags()).isEqualTo(NlMessage.NLM_F_REQUEST | NlMessage.NLM_F_DUMP);
    }

    @Test
    void anInterruptedDumpIsRetriedFromScratch() {
        ScriptedKernel k = new ScriptedKernel()
                .then(seq -> List.of(link(seq, 0, 1), link(seq, NlMessage.NLM_F_DUMP_INTR, 2)))
                .then(seq -> List.of(done(seq)))
                .then(seq -> List.of(link(seq, 0, 1), link(seq, 0, 2), link(seq, 0, 3)))
                .then(seq -> List.of(done(seq)));
        try (NetlinkSocket s = new NetlinkSocket(NetlinkSocket.NETLINK_ROUTE, k)) {
            List<NlMessage> all = s.dump(Rtm.ifinfomsg(Rtm.GETLINK, 0, 0, 0, 0, 0), "list links");
            assertThat(all).extracting(m -> m.payload().getInt(4)).containsExactly(1, 2, 3);
        }
        assertThat(k.sent).hasSize(2);
        assertThat(k.sent.get(1).getInt(8)).isNotEqualTo(k.sent.get(0).getInt(8));
    }

    @Test
    void aDumpInterruptedEveryTimeGivesUp() {
        ScriptedKernel k = new ScriptedKernel();
        for (int i = 0; i < 11; i++) {
            k.then(seq -> List.of(link(seq, NlMessage.NLM_F_DUMP_INTR, 1), done(seq)));
        }
        try (NetlinkSocket s = new NetlinkSocket(NetlinkSocket.NETLINK_ROUTE, k)) {
            assertThatThrownBy(() -> s.dump(Rtm.ifinfomsg(Rtm.GETLINK, 0, 0, 0, 0, 0), "list links"))
                    .isInstanceOf(NetlinkException.class).hasMessageContaining("list links")
                    .hasMessageContaining("interrupted").hasMessageContaining("EAGAIN");
        }
        assertThat(k.sent).hasSize(11);
    }

    @Test
    void aDumpThatEndsInAnErrorThrows() {
        ScriptedKernel k = new ScriptedKernel().then(seq -> List.of(link(seq, 0, 1), msg(NlMessage.NLMSG_DONE,
                NlMessage.NLM_F_MULTI, seq, -Errno.EOPNOTSUPP)));
        try (NetlinkSocket s = new NetlinkSocket(NetlinkSocket.NETLINK_ROUTE, k)) {
            assertThatThrownBy(() -> s.dump(new NlRequest(Rtm.GETNEIGH, 0).u8(7).alignHeader(), "list fdb"))
                    .isInstanceOf(NetlinkException.class).hasMessageStartingWith("list fdb: EOPNOTSUPP");
        }
    }

    @Test
    void aDumpMayEndWithAnAckOrAnError() {
        ScriptedKernel k = new ScriptedKernel().then(seq -> List.of(link(seq, 0, 1), ack(seq)))
                .then(seq -> List.of(msg(NlMessage.NLMSG_ERROR, 0, seq, -Errno.EPERM, 16)));
        try (NetlinkSocket s = new NetlinkSocket(NetlinkSocket.NETLINK_ROUTE, k)) {
            assertThat(s.dump(new NlRequest(Rtm.GETLINK, 0), "list")).hasSize(1);
            assertThatThrownBy(() -> s.dump(new NlRequest(Rtm.GETLINK, 0), "list again"))
                    .isInstanceOf(NetlinkException.class).hasMessageStartingWith("list again: EPERM");
        }
    }

    @Test
    void requestAllSendsOneDatagramAndSortsRepliesByRequest() {
        ScriptedKernel k = new ScriptedKernel()
                .then(seq -> List.of(link(seq + 1, 0, 7), ack(seq), ack(seq + 1)))
                .then(seq -> List.of(msg(Rtm.NEWLINK, 0, 999, 0, 1, 0, 0), ack(seq + 2)));
        NetlinkSocket s = new NetlinkSocket(NetlinkSocket.NETLINK_ROUTE, k);
        List<List<NlMessage>> r = s.requestAll(List.of(new NlRequest(Rtm.NEWLINK, 0), new NlRequest(Rtm.GETLINK, 0),
                new NlRequest(Rtm.SETLINK, 0)), List.of("a", "b", "c"));
        assertThat(k.sent).hasSize(1);
        ByteBuffer d = k.sent.getFirst();
        int first = d.getInt(0);
        assertThat(d.remaining()).isEqualTo(3 * NlMessage.HEADER_LEN);
        assertThat(Short.toUnsignedInt(d.getShort(first + 6)) & (NlMessage.NLM_F_REQUEST | NlMessage.NLM_F_ACK))
                .isEqualTo(NlMessage.NLM_F_REQUEST | NlMessage.NLM_F_ACK);
        assertThat(r.get(0)).isEmpty();
        assertThat(r.get(1)).singleElement().satisfies(m -> assertThat(m.payload().getInt(4)).isEqualTo(7));
        assertThat(r.get(2)).isEmpty(); // the stray seq 999 was skipped
    }

    @Test
    void requestAllWaitsForEveryAckAndThrowsTheFirstRefusal() {
        ScriptedKernel k = new ScriptedKernel()
                .then(seq -> List.of(ack(seq), msg(NlMessage.NLMSG_ERROR, 0, seq + 1, -Errno.ENODEV, 16, 0, 0, 0),
                        msg(NlMessage.NLMSG_ERROR, 0, seq + 2, -Errno.EEXIST, 16, 0, 0, 0)));
        NetlinkSocket s = new NetlinkSocket(NetlinkSocket.NETLINK_ROUTE, k);
        assertThatThrownBy(() -> s.requestAll(List.of(new NlRequest(Rtm.NEWLINK, 0), new NlRequest(Rtm.NEWLINK, 0),
                new NlRequest(Rtm.NEWLINK, 0)), List.of("first", "second", "third")))
                .isInstanceOf(NetlinkException.class).hasMessageContaining("second")
                .satisfies(e -> assertThat(((NetlinkException) e).is(Errno.ENODEV)).isTrue());
        assertThat(k.script).isEmpty();
    }

    @Test
    void requestEachSendsInChunksAndReportsEveryOutcome() {
        ScriptedKernel k = new ScriptedKernel()
                .then(seq -> List.of(ack(seq), msg(NlMessage.NLMSG_ERROR, 0, seq + 1, -Errno.EEXIST, 16, 0, 0, 0)))
                .then(seq -> List.of(link(seq, 0, 9), ack(seq), ack(seq))); // a duplicate ACK is skipped
        NetlinkSocket s = new NetlinkSocket(NetlinkSocket.NETLINK_ROUTE, k);
        List<NetlinkSocket.Outcome> out = s.requestEach(List.of(new NlRequest(Rtm.NEWLINK, 0),
                new NlRequest(Rtm.NEWLINK, 0), new NlRequest(Rtm.GETLINK, 0)), List.of("a", "b", "c"), 2);
        assertThat(k.sent).hasSize(2);
        assertThat(k.sent.get(0).remaining()).isEqualTo(2 * NlMessage.HEADER_LEN);
        assertThat(k.sent.get(1).remaining()).isEqualTo(NlMessage.HEADER_LEN);
        assertThat(out).hasSize(3);
        assertThat(out.get(0).error()).isNull();
        assertThat(out.get(1).error()).hasMessageStartingWith("b").satisfies(e -> assertThat(e.is(Errno.EEXIST)).isTrue());
        assertThat(out.get(2).error()).isNull();
        assertThat(out.get(2).replies()).singleElement().satisfies(m -> assertThat(m.payload().getInt(4)).isEqualTo(9));
        assertThat(k.script).isEmpty();
    }
}
