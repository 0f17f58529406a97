package podnet.linux.packet.filter;

import java.net.InetAddress;
import podnet.linux.inet.MacAddress;

/** A parsed capture filter: tcpdump's primitives combined with and/or/not. */
public sealed interface FilterExpr {
    /** Which address or port of a packet a primitive looks at. */
    enum Dir { ANY, SRC, DST }

    /** The protocol keywords: {@code arp ip ip6 icmp icmp6 tcp udp}. */
    enum Proto { ARP, IP, IP6, ICMP, ICMP6, TCP, UDP }

    record And(FilterExpr left, FilterExpr right) implements FilterExpr {}

    record Or(FilterExpr left, FilterExpr right) implements FilterExpr {}

    record Not(FilterExpr operand) implements FilterExpr {}

    record Protocol(Proto proto) implements FilterExpr {}

    /** {@code [src|dst] host ADDR}: IPv4 (IP and ARP) or IPv6. */
    record Host(Dir dir, InetAddress address) implements FilterExpr {}

    /** {@code [src|dst] net A.B.C.D/LEN} (IPv4 and ARP). */
    record Net(Dir dir, InetAddress network, int prefixLength) implements FilterExpr {}

    /** {@code [tcp|udp] [src|dst] port N}; {@code proto} is null for either. */
    record Port(Proto proto, Dir dir, int port) implements FilterExpr {}

    /** {@code ether [src|dst] host MAC}. */
    record EtherHost(Dir dir, MacAddress mac) implements FilterExpr {}

    /**
     * {@code vlan [ID]}: the kernel moves 802.1Q tags out of the frame before the socket filter
     * runs, so this one is always evaluated in Java (on the frame with its tag put back).
     */
    record Vlan(Integer id) implements FilterExpr {}
}
