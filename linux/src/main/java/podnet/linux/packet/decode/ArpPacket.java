package podnet.linux.packet.decode;

import java.net.Inet4Address;
import podnet.linux.inet.MacAddress;

/** An ARP packet for IPv4 over Ethernet; {@code length} is what follows the Ethernet header. */
public record ArpPacket(int operation, MacAddress senderMac, Inet4Address senderIp, MacAddress targetMac,
        Inet4Address targetIp, int length) implements NetworkLayer {
    public static final int REQUEST = 1, REPLY = 2;
}
