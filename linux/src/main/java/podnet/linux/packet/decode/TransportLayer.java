package podnet.linux.packet.decode;

/** What an IP packet carries. */
public sealed interface TransportLayer
        permits IcmpMessage, Icmpv6Message, TcpSegment, UdpDatagram, VxlanDatagram, Fragment, OtherPayload, Truncated {}
