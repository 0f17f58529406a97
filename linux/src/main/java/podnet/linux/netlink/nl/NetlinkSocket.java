package podnet.linux.netlink.nl;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.sys.Errno;
import podnet.linux.sys.FileDescriptor;
import podnet.linux.sys.Sockets;
import podnet.linux.sys.Poll;
import podnet.linux.sys.ffm.SocketCalls;

/**
 * A netlink socket with request/ACK and dump semantics.
 *
 * <p>The socket belongs to the network namespace of the thread that opened it and stays bound
 * to it, whichever thread later uses it. Requests are serialised per socket; replies are matched
 * by sequence number (stray messages, e.g. a late reply to an earlier interrupted request, are
 * skipped). Extended ACKs are on, so errors carry the kernel's text.
 */
public final class NetlinkSocket implements AutoCloseable {
    public static final int NETLINK_ROUTE = 0, NETLINK_NETFILTER = 12;
    private static final int SOL_NETLINK = 270, NETLINK_ADD_MEMBERSHIP = 1, NETLINK_CAP_ACK = 10, NETLINK_EXT_ACK = 11;
    private static final int NLMSGERR_ATTR_MSG = 1;
    private static final int RECV_BUFFER = 64 * 1024;
    private static final int DUMP_RETRIES = 10;

    private static final AtomicInteger SEQ = new AtomicInteger((int) (System.nanoTime() & 0xffff));

    /** Moves datagrams to and from the kernel; a seam so the protocol logic is testable without it. */
    interface Transport extends AutoCloseable {
        void send(ByteBuffer datagram);

        /** The messages of the next datagram. */
        List<NlMessage> receive();

        /** Waits up to {@code timeoutMillis} for a datagram; true if one is there. */
        default boolean await(int timeoutMillis) {
            return true;
        }

        /** setsockopt on the descriptor (for multicast groups and buffer sizes). */
        default void option(int level, int name, int value) {
            throw new UnsupportedOperationException("socket options on a test transport");
        }

        @Override
        void close();
    }

    private final int protocol;
    private final Transport transport;

    NetlinkSocket(int protocol, Transport transport) {
        this.protocol = protocol;
        this.transport = transport;
    }

    /** Opens a socket of {@code protocol} in the calling thread's network namespace. */
    public static NetlinkSocket open(int protocol) {
        int fd = SocketCalls.socket(Sockets.AF_NETLINK, Sockets.SOCK_RAW, protocol);
        NetlinkSocket s = new NetlinkSocket(protocol, new FdTransport(fd));
        try {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment one = a.allocate(JAVA_INT);
                one.set(JAVA_INT, 0, 1);
                SocketCalls.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, one);
                SocketCalls.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, one);
                MemorySegment addr = a.allocate(12, 4); // sockaddr_nl
                addr.set(JAVA_SHORT, 0, (short) Sockets.AF_NETLINK);
                SocketCalls.bind(fd, addr);
            }
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    public int protocol() {
        return protocol;
    }

    private static final int SO_SNDBUFFORCE = 32, SO_RCVBUFFORCE = 33;

    /**
     * Raises both socket buffers to {@code bytes} (root may exceed the sysctl limits), for
     * transactions larger than the default ~200 KiB: the kernel refuses a bigger datagram with
     * EMSGSIZE, and the answers to a long batch could overflow the receive queue (ENOBUFS).
     */
    public NetlinkSocket withBuffers(int bytes) {
        if (transport instanceof FdTransport t) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment v = a.allocate(JAVA_INT);
                v.set(JAVA_INT, 0, bytes);
                SocketCalls.setsockopt(t.fd.fd(), Sockets.SOL_SOCKET, SO_SNDBUFFORCE, v);
                SocketCalls.setsockopt(t.fd.fd(), Sockets.SOL_SOCKET, SO_RCVBUFFORCE, v);
            }
        }
        return this;
    }

    /**
     * Sends {@code req} with NLM_F_REQUEST|NLM_F_ACK and waits for its ACK. Returns the
     * messages the kernel sent before the ACK (e.g. the object for a GET, or NLM_F_ECHO).
     *
     * @throws NetlinkException carrying errno and the kernel's message when it is refused
     */
    public synchronized List<NlMessage> request(NlRequest req, String what) {
        int seq = SEQ.incrementAndGet();
        send(req.addFlags(NlMessage.NLM_F_REQUEST | NlMessage.NLM_F_ACK).toBytes(seq, 0));
        List<NlMessage> replies = new ArrayList<>();
        while (true) {
            for (NlMessage m : receive()) {
                if (m.seq() != seq) {
                    continue;
                }
                if (m.type() == NlMessage.NLMSG_ERROR) {
                    if (errorCode(m) == 0) {
                        return replies;
                    }
                    throw error(what, m);
                }
                replies.add(m);
            }
        }
    }

    /** Sends a dump request and collects every message until NLMSG_DONE; retried if interrupted. */
    public synchronized List<NlMessage> dump(NlRequest req, String what) {
        req.addFlags(NlMessage.NLM_F_REQUEST | NlMessage.NLM_F_DUMP);
        for (int attempt = 0; ; attempt++) {
            int seq = SEQ.incrementAndGet();
            send(req.toBytes(seq, 0));
            List<NlMessage> out = new ArrayList<>();
            boolean interrupted = false;
            boolean done = false;
            while (!done) {
                for (NlMessage m : receive()) {
                    if (m.seq() != seq) {
                        continue;
                    }
                    if (m.hasFlag(NlMessage.NLM_F_DUMP_INTR)) {
                        interrupted = true;
                    }
                    if (m.type() == NlMessage.NLMSG_DONE) {
                        // NLMSG_DONE carries an int error too (e.g. a filtered dump that failed).
                        if (m.payload().remaining() >= 4 && errorCode(m) < 0) {
                            throw error(what, m);
                        }
                        done = true;
                        break;
                    }
                    if (m.type() == NlMessage.NLMSG_ERROR) {
                        if (errorCode(m) == 0) {
                            done = true;
                            break;
                        }
                        throw error(what, m);
                    }
                    out.add(m);
                }
            }
            if (!interrupted) {
                return out;
            }
            if (attempt >= DUMP_RETRIES) {
                throw new NetlinkException(what + " (dump kept being interrupted)", Errno.EAGAIN, null);
            }
        }
    }

    /**
     * Sends {@code reqs} in one datagram, each with its own sequence number (a netfilter batch:
     * BEGIN, changes, END), and waits for the answer to every message that asks for an ACK.
     * An error answered to a message without NLM_F_ACK (the kernel's reply to the whole batch,
     * e.g. ERESTART for a stale generation id, or a failed commit) ends the wait at once.
     *
     * @throws NetlinkException the first error in message order, named {@code what [i]} by the
     *     failing message's index so callers can tell which change was refused
     */
    public void batch(List<NlRequest> reqs, String what) {
        List<String> names = new ArrayList<>(reqs.size());
        for (int i = 0; i < reqs.size(); i++) {
            names.add(what + " [" + i + "]");
        }
        batch(reqs, names);
    }

    /** {@link #batch(List, String)} with each message named in errors by {@code names.get(index)}. */
    public synchronized void batch(List<NlRequest> reqs, List<String> names) {
        int n = reqs.size();
        if (names.size() != n) {
            throw new IllegalArgumentException(n + " messages but " + names.size() + " names");
        }
        int[] seqs = sendInOneDatagram(reqs, NlMessage.NLM_F_REQUEST);

        int pending = 0;
        boolean[] waiting = new boolean[n];
        for (int i = 0; i < n; i++) {
            waiting[i] = reqs.get(i).hasFlag(NlMessage.NLM_F_ACK);
            pending += waiting[i] ? 1 : 0;
        }
        NetlinkException[] errors = new NetlinkException[n];
        while (pending > 0) {
            for (NlMessage m : receive()) {
                if (m.type() != NlMessage.NLMSG_ERROR) {
                    continue;
                }
                int i = indexOf(seqs, m.seq());
                if (i < 0) {
                    continue; // stray: a late answer to an earlier request
                }
                boolean failed = m.payload().getInt(0) != 0;
                if (!waiting[i]) {
                    if (failed) {
                        throw error(names.get(i), m);
                    }
                    continue;
                }
                waiting[i] = false;
                pending--;
                if (failed) {
                    errors[i] = error(names.get(i), m);
                }
            }
        }
        for (NetlinkException e : errors) {
            if (e != null) {
                throw e;
            }
        }
    }

    /**
     * Sends {@code reqs} (rtnetlink requests, each flagged NLM_F_REQUEST|NLM_F_ACK) in one
     * datagram and waits for every ACK: one round trip for many requests. The kernel handles
     * them in order, each on its own, and goes on after a refused one, so a request may rely
     * on an earlier one's effect (a port's settings after its master is set). Returns, per
     * request, the messages sent back before its ACK (the link of a GET, an NLM_F_ECHO copy).
     *
     * @throws NetlinkException the first refusal in request order, named by {@code names}
     */
    public List<List<NlMessage>> requestAll(List<NlRequest> reqs, List<String> names) {
        List<Outcome> outcomes = requestEach(reqs, names);
        List<List<NlMessage>> replies = new ArrayList<>(outcomes.size());
        for (Outcome o : outcomes) {
            if (o.error() != null) {
                throw o.error();
            }
            replies.add(o.replies());
        }
        return replies;
    }

    /** One request's answer in {@link #requestEach}: what came before its ACK, and its refusal if it was refused. */
    public record Outcome(List<NlMessage> replies, NetlinkException error) {}

    /** {@link #requestAll}, with every request's outcome instead of the first refusal thrown. */
    public List<Outcome> requestEach(List<NlRequest> reqs, List<String> names) {
        return requestEach(reqs, names, Math.max(1, reqs.size()));
    }

    /**
     * {@link #requestEach(List, List)} in datagrams of at most {@code perDatagram} requests:
     * few round trips instead of one each, while the answers to one datagram (ACKs with
     * extended-ACK text, echoed objects) stay within the socket's receive buffer.
     */
    public synchronized List<Outcome> requestEach(List<NlRequest> reqs, List<String> names, int perDatagram) {
        int n = reqs.size();
        if (names.size() != n) {
            throw new IllegalArgumentException(n + " requests but " + names.size() + " names");
        }
        if (perDatagram < 1) {
            throw new IllegalArgumentException("perDatagram must be at least 1, not " + perDatagram);
        }
        List<Outcome> out = new ArrayList<>(n);
        for (int from = 0; from < n; from += perDatagram) {
            int to = Math.min(n, from + perDatagram);
            int[] seqs = sendInOneDatagram(reqs.subList(from, to), NlMessage.NLM_F_REQUEST | NlMessage.NLM_F_ACK);
            int count = to - from;
            List<List<NlMessage>> replies = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                replies.add(new ArrayList<>());
            }
            NetlinkException[] errors = new NetlinkException[count];
            boolean[] answered = new boolean[count];
            int pending = count;
            while (pending > 0) {
                for (NlMessage m : receive()) {
                    int i = indexOf(seqs, m.seq());
                    if (i < 0 || answered[i]) {
                        continue; // stray: a late answer to an earlier request, a notification
                    }
                    if (m.type() != NlMessage.NLMSG_ERROR) {
                        replies.get(i).add(m);
                        continue;
                    }
                    answered[i] = true;
                    pending--;
                    if (errorCode(m) != 0) {
                        errors[i] = error(names.get(from + i), m);
                    }
                }
            }
            for (int i = 0; i < count; i++) {
                out.add(new Outcome(replies.get(i), errors[i]));
            }
        }
        return out;
    }

    /** Sends {@code reqs} with {@code flags} added, in one datagram, each with its own sequence number; returns those. */
    private int[] sendInOneDatagram(List<NlRequest> reqs, int flags) {
        int n = reqs.size();
        int[] seqs = new int[n];
        List<ByteBuffer> parts = new ArrayList<>(n);
        int total = 0;
        for (int i = 0; i < n; i++) {
            seqs[i] = SEQ.incrementAndGet();
            ByteBuffer b = reqs.get(i).addFlags(flags).toBytes(seqs[i], 0);
            parts.add(b);
            total += b.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(total).order(ByteOrder.nativeOrder());
        for (ByteBuffer b : parts) {
            all.put(b);
        }
        send(all.flip());
        return seqs;
    }

    private static int indexOf(int[] seqs, int seq) {
        for (int i = 0; i < seqs.length; i++) {
            if (seqs[i] == seq) {
                return i;
            }
        }
        return -1;
    }

    // ---- notifications (multicast groups) ------------------------------------------------

    /**
     * Joins multicast group {@code group} (e.g. RTNLGRP_LINK): the kernel then sends this
     * socket a message for every change of that kind in the socket's namespace.
     */
    public void joinGroup(int group) {
        transport.option(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group);
    }

    /** Asks for a receive buffer of {@code bytes} (SO_RCVBUF), so bursts of notifications fit. */
    public void receiveBuffer(int bytes) {
        transport.option(Sockets.SOL_SOCKET, Sockets.SO_RCVBUF, bytes);
    }

    /**
     * Waits up to {@code timeoutMillis} for notifications and returns those of the next
     * datagram (empty on timeout). Not for sockets that also send requests: replies and
     * notifications would be mixed. A timeout of 0 only takes what is queued already.
     *
     * @throws NetlinkException with ENOBUFS when the kernel dropped notifications because the
     *     buffer was full: the caller's picture is stale and must be read again
     */
    public List<NlMessage> awaitNotifications(int timeoutMillis) {
        if (!transport.await(timeoutMillis)) {
            return List.of();
        }
        try {
            return receive();
        } catch (podnet.linux.sys.SysException e) {
            if (e.is(Errno.ENOBUFS)) {
                throw new NetlinkException("netlink notifications were lost (receive buffer full)", Errno.ENOBUFS, null);
            }
            throw e;
        }
    }

    private void send(ByteBuffer bytes) {
        transport.send(bytes);
    }

    private List<NlMessage> receive() {
        return transport.receive();
    }

    /** The real thing: a netlink socket descriptor and off-heap buffers. */
    private static final class FdTransport implements Transport {
        private final FileDescriptor fd;
        private final SocketBuffers buffers = SocketBuffers.take(RECV_BUFFER);
        /** Sends and receives in flight: a socket closed meanwhile leaves its buffers to them, not the pool. */
        private final AtomicInteger inFlight = new AtomicInteger();
        private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

        FdTransport(int fd) {
            this.fd = FileDescriptor.adopt(fd);
        }

        @Override
        public void send(ByteBuffer bytes) {
            int n = bytes.remaining();
            inFlight.incrementAndGet();
            try {
                MemorySegment sendBuf = buffers.send(n);
                MemorySegment.copy(MemorySegment.ofBuffer(bytes), 0, sendBuf, 0, n);
                SocketCalls.sendto(fd.fd(), sendBuf, n, 0, buffers.kernelAddr);
            } finally {
                inFlight.decrementAndGet();
            }
        }

        @Override
        public boolean await(int timeoutMillis) {
            return (Poll.poll(fd.fd(), Poll.POLLIN, timeoutMillis)
                    & (Poll.POLLIN | Poll.POLLERR)) != 0;
        }

        @Override
        public void option(int level, int name, int value) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment v = a.allocate(JAVA_INT);
                v.set(JAVA_INT, 0, value);
                SocketCalls.setsockopt(fd.fd(), level, name, v);
            }
        }

        @Override
        public List<NlMessage> receive() {
            // MSG_TRUNC makes the kernel report a datagram's real length, so a reply larger than
            // the buffer (a link with hundreds of SR-IOV VFs) is an error, not silently cut short.
            byte[] copy;
            inFlight.incrementAndGet();
            try {
                long n = SocketCalls.recvfrom(fd.fd(), buffers.recv, Sockets.MSG_TRUNC);
                if (n > RECV_BUFFER) {
                    throw new NetlinkException("netlink reply of " + n + " bytes exceeds the " + RECV_BUFFER
                            + "-byte receive buffer", Errno.EMSGSIZE, null);
                }
                copy = buffers.recv.asSlice(0, n).toArray(JAVA_BYTE);
            } finally {
                inFlight.decrementAndGet();
            }
            return NlMessage.parseAll(ByteBuffer.wrap(copy).order(ByteOrder.nativeOrder()));
        }

        @Override
        public void close() {
            fd.close();
            if (closed.compareAndSet(false, true) && inFlight.get() == 0) {
                buffers.release(); // once: a second close must not pool the same buffers twice
            }
        }
    }

    /** The error code of an NLMSG_ERROR or NLMSG_DONE: 0 for an ACK, else a negative errno. */
    static int errorCode(NlMessage m) {
        return m.payload().remaining() >= 4 ? m.payload().getInt(0) : -Errno.EIO;
    }

    /** Turns an NLMSG_ERROR (or failed NLMSG_DONE) into an exception with the ext-ack text. */
    static NetlinkException error(String what, NlMessage m) {
        ByteBuffer p = m.payload();
        if (p.remaining() < 4) {
            return new NetlinkException(what + " (malformed error reply of " + p.remaining() + " bytes)",
                    Errno.EIO, null);
        }
        int errno = -p.getInt(0);
        String text = null;
        if (m.type() == NlMessage.NLMSG_ERROR && m.hasFlag(NlMessage.NLM_F_ACK_TLVS)) {
            // struct nlmsgerr: the error, then the request's header (capped) or the whole request.
            int embedded = NlMessage.HEADER_LEN;
            if (!m.hasFlag(NlMessage.NLM_F_CAPPED) && p.remaining() >= 4 + NlMessage.HEADER_LEN) {
                embedded = p.getInt(4);
            }
            int tlvStart = 4 + NlAttrs.align(embedded);
            if (embedded >= NlMessage.HEADER_LEN && tlvStart <= p.limit()) {
                text = NlAttrs.parse(p, tlvStart).string(NLMSGERR_ATTR_MSG);
            }
        } else if (m.type() == NlMessage.NLMSG_DONE && m.hasFlag(NlMessage.NLM_F_ACK_TLVS)) {
            text = NlAttrs.parse(p, 4).string(NLMSGERR_ATTR_MSG);
        }
        return new NetlinkException(what, errno, text);
    }

    @Override
    public void close() {
        transport.close();
    }

}
