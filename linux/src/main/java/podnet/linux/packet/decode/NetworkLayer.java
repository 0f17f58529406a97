package podnet.linux.packet.decode;

/** What an Ethernet frame carries. */
public sealed interface NetworkLayer permits ArpPacket, Ipv4Packet, Ipv6Packet, OtherPayload, Truncated {}
