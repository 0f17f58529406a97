package podnet.linux.packet.decode;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * tcpdump's relative TCP sequence numbers (its default; {@code -S} turns them off): the first
 * segment with ACK set in a connection (or any SYN-ACK) records both directions' initial numbers
 * and is printed absolute; later segments print their distance from those. Both directions
 * share one entry, keyed with the lower port (or lower address on equal ports) first, the way
 * tcpdump does, so the lines match its output. One instance per capture; not thread-safe.
 */
public final class RelativeSequences {
    private record Key(byte[] src, byte[] dst, int ports) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && ports == k.ports && Arrays.equals(src, k.src) && Arrays.equals(dst, k.dst);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Arrays.hashCode(src) + Arrays.hashCode(dst)) + ports;
        }
    }

    /** The recorded bases: {@code seq} for the key's "src" direction, {@code ack} for the other. */
    private record Bases(long seq, long ack) {}

    private final Map<Key, Bases> connections = new HashMap<>();

    /** The segment as tcpdump prints it by default: relative seq/ack once the connection is known. */
    public TcpSegment apply(InetAddress source, InetAddress destination, TcpSegment t) {
        if (!t.has(TcpSegment.ACK)) {
            return t;
        }
        byte[] s = source.getAddress(), d = destination.getAddress();
        int sport = t.sourcePort(), dport = t.destinationPort();
        boolean rev = sport > dport || (sport == dport && Arrays.compareUnsigned(s, d) > 0);
        Key key = rev ? new Key(d, s, dport << 16 | sport) : new Key(s, d, sport << 16 | dport);
        Bases b = connections.get(key);
        long seq = t.sequence(), ack = t.acknowledgment();
        if (b == null || t.has(TcpSegment.SYN)) {
            connections.put(key, rev ? new Bases((ack - 1) & 0xffffffffL, seq) : new Bases(seq, (ack - 1) & 0xffffffffL));
            return t;
        }
        long relSeq = (seq - (rev ? b.ack() : b.seq())) & 0xffffffffL;
        long relAck = (ack - (rev ? b.seq() : b.ack())) & 0xffffffffL;
        return new TcpSegment(sport, dport, relSeq, relAck, t.flags(), t.window(), t.urgentPointer(), t.options(),
                t.payloadLength());
    }
}
