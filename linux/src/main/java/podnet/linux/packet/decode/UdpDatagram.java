package podnet.linux.packet.decode;

/** A UDP header: ports, its length field, and the payload length it implies. */
public record UdpDatagram(int sourcePort, int destinationPort, int length, int payloadLength)
        implements TransportLayer {}
