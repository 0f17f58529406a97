package podnet.linux.packet.decode;

/**
 * A UDP datagram to a VXLAN port (4789, IANA's; 8472, Linux's old default and flannel's) with
 * its 8-byte VXLAN header — flags (0x08: a valid VNI) and the VNI — and the Ethernet frame it
 * carries, decoded like any captured frame. tcpdump calls 8472 OTV, whose header has the same
 * layout: its "overlay" is the VXLAN header's first reserved bytes, its "instance" the VNI.
 */
public record VxlanDatagram(UdpDatagram udp, int flags, int reserved, int vni, EthernetFrame inner)
        implements TransportLayer {
    public static final int IANA_PORT = 4789, LINUX_PORT = 8472, HEADER = 8;

    /** Whether the datagram went to {@link #LINUX_PORT}, which tcpdump decodes as OTV. */
    public boolean otv() {
        return udp.destinationPort() == LINUX_PORT;
    }
}
