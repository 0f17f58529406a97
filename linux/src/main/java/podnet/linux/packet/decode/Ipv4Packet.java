package podnet.linux.packet.decode;

import java.net.Inet4Address;

/** An IPv4 header and what it carries. {@code flags} holds DF (2) and MF (1). */
public record Ipv4Packet(Inet4Address source, Inet4Address destination, int headerLength, int totalLength,
        int id, int flags, int fragmentOffset, int ttl, int protocol, TransportLayer payload)
        implements NetworkLayer {
    public static final int ICMP = 1, TCP = 6, UDP = 17, ICMPV6 = 58;

    /** Bytes after the header, by the header's own length fields. */
    public int payloadLength() {
        return totalLength - headerLength;
    }
}
