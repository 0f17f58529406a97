package podnet.linux.packet.decode;

import java.util.List;
import podnet.linux.inet.MacAddress;

/**
 * A decoded Ethernet II frame: addresses, any VLAN tags, the EtherType that follows them, the
 * length on the wire, and what it carries (or {@link Truncated}).
 */
public record EthernetFrame(MacAddress destination, MacAddress source, List<VlanTag> vlans, int etherType,
        int wireLength, NetworkLayer payload) {
    public EthernetFrame {
        vlans = List.copyOf(vlans);
    }

    public static final int ARP = 0x0806, IPV4 = 0x0800, IPV6 = 0x86dd, VLAN = 0x8100, QINQ = 0x88a8;
}
