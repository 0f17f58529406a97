package podnet.linux.packet.decode;

/**
 * An ICMP message: type and code, the echo id and sequence (meaningful for echo messages), its
 * length, and for errors the IPv4 packet it quotes (or null).
 */
public record IcmpMessage(int type, int code, int id, int sequence, int length, Ipv4Packet quoted)
        implements TransportLayer {
    public static final int ECHO_REPLY = 0, UNREACHABLE = 3, REDIRECT = 5, ECHO_REQUEST = 8,
            TIME_EXCEEDED = 11;
}
