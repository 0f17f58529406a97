package podnet.linux.packet.decode;

import java.net.Inet6Address;

/**
 * An ICMPv6 message: type and code, echo id and sequence, the target of a neighbour
 * solicitation/advertisement or redirect (else null), a redirect's destination (else null), the
 * group record count of an MLDv2 report, a packet-too-big MTU, for errors the IPv6 packet it
 * quotes (else null), and its length.
 */
public record Icmpv6Message(int type, int code, int id, int sequence, Inet6Address target,
        Inet6Address destination, int groupRecords, long mtu, Ipv6Packet quoted, int length)
        implements TransportLayer {
    public static final int UNREACHABLE = 1, PACKET_TOO_BIG = 2, TIME_EXCEEDED = 3, ECHO_REQUEST = 128,
            ECHO_REPLY = 129, MLD_QUERY = 130, MLD_REPORT = 131, MLD_DONE = 132,
            ROUTER_SOLICITATION = 133, ROUTER_ADVERTISEMENT = 134, NEIGHBOR_SOLICITATION = 135,
            NEIGHBOR_ADVERTISEMENT = 136, REDIRECT = 137, MLD2_REPORT = 143;
}
