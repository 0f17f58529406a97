package podnet.linux.packet.filter;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import podnet.linux.inet.MacAddress;
import podnet.linux.packet.decode.ArpPacket;
import podnet.linux.packet.decode.EthernetFrame;
import podnet.linux.packet.decode.Ipv4Packet;
import podnet.linux.packet.decode.Ipv6Packet;
import podnet.linux.packet.decode.TcpSegment;
import podnet.linux.packet.decode.UdpDatagram;
import podnet.linux.packet.decode.VxlanDatagram;
import podnet.linux.packet.filter.FilterExpr.Dir;
import podnet.linux.packet.filter.FilterExpr.Proto;

/** Evaluates a {@link FilterExpr} on a decoded frame, with the same meaning as the BPF code. */
public final class FrameMatcher {
    private FrameMatcher() {}

    public static boolean matches(FilterExpr e, EthernetFrame f) {
        return switch (e) {
            case FilterExpr.And(var l, var r) -> matches(l, f) && matches(r, f);
            case FilterExpr.Or(var l, var r) -> matches(l, f) || matches(r, f);
            case FilterExpr.Not(var x) -> !matches(x, f);
            case FilterExpr.Protocol(var p) -> protocol(p, f);
            case FilterExpr.Host(var dir, var a) -> host(dir, a, f);
            case FilterExpr.Net(var dir, var a, var len) -> net(dir, a, len, f);
            case FilterExpr.Port(var p, var dir, var port) -> port(p, dir, port, f);
            case FilterExpr.EtherHost(var dir, var mac) -> either(dir, mac, f.source(), f.destination());
            case FilterExpr.Vlan(var id) -> !f.vlans().isEmpty() && (id == null || f.vlans().get(0).vlanId() == id);
        };
    }

    private static boolean protocol(Proto p, EthernetFrame f) {
        return switch (p) {
            case ARP -> f.etherType() == EthernetFrame.ARP;
            case IP -> f.etherType() == EthernetFrame.IPV4;
            case IP6 -> f.etherType() == EthernetFrame.IPV6;
            case ICMP -> f.payload() instanceof Ipv4Packet ip && ip.protocol() == Ipv4Packet.ICMP;
            case ICMP6 -> f.payload() instanceof Ipv6Packet ip && ip.protocol() == Ipv4Packet.ICMPV6
                    && ip.extensionHeaders().isEmpty();
            case TCP -> ipProtocol(f) == Ipv4Packet.TCP;
            case UDP -> ipProtocol(f) == Ipv4Packet.UDP;
        };
    }

    /** The protocol field of the IP header itself (as BPF sees it: no extension-header walk). */
    private static int ipProtocol(EthernetFrame f) {
        return switch (f.payload()) {
            case Ipv4Packet ip -> ip.protocol();
            case Ipv6Packet ip -> ip.extensionHeaders().isEmpty() ? ip.protocol() : ip.extensionHeaders().get(0);
            default -> -1;
        };
    }

    private static boolean host(Dir dir, InetAddress a, EthernetFrame f) {
        return switch (f.payload()) {
            case Ipv4Packet ip -> either(dir, a, ip.source(), ip.destination());
            case ArpPacket arp -> either(dir, a, arp.senderIp(), arp.targetIp());
            case Ipv6Packet ip -> either(dir, a, ip.source(), ip.destination());
            default -> false;
        };
    }

    private static boolean net(Dir dir, InetAddress net, int len, EthernetFrame f) {
        InetAddress src, dst;
        switch (f.payload()) {
            case Ipv4Packet ip -> {
                src = ip.source();
                dst = ip.destination();
            }
            case ArpPacket arp -> {
                src = arp.senderIp();
                dst = arp.targetIp();
            }
            default -> {
                return false;
            }
        }
        int mask = len == 0 ? 0 : -1 << (32 - len);
        int n = v4(net) & mask;
        boolean s = (v4(src) & mask) == n, d = (v4(dst) & mask) == n;
        return dir == Dir.SRC ? s : dir == Dir.DST ? d : s || d;
    }

    private static int v4(InetAddress a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | b[3] & 0xff;
    }

    private static boolean port(Proto p, Dir dir, int port, EthernetFrame f) {
        int proto = ipProtocol(f);
        if ((p == Proto.TCP && proto != Ipv4Packet.TCP) || (p == Proto.UDP && proto != Ipv4Packet.UDP)
                || (proto != Ipv4Packet.TCP && proto != Ipv4Packet.UDP)) {
            return false;
        }
        var t = switch (f.payload()) {
            case Ipv4Packet ip -> ip.payload();
            case Ipv6Packet ip -> ip.payload();
            default -> null;
        };
        return switch (t) {
            case TcpSegment s -> either(dir, port, s.sourcePort(), s.destinationPort());
            case UdpDatagram u -> either(dir, port, u.sourcePort(), u.destinationPort());
            case VxlanDatagram v -> either(dir, port, v.udp().sourcePort(), v.udp().destinationPort());
            case null, default -> false;
        };
    }

    private static boolean either(Dir dir, Object want, Object src, Object dst) {
        boolean s = equal(want, src), d = equal(want, dst);
        return dir == Dir.SRC ? s : dir == Dir.DST ? d : s || d;
    }

    private static boolean equal(Object a, Object b) {
        if (a instanceof InetAddress x && b instanceof InetAddress y) {
            return (x instanceof Inet4Address) == (y instanceof Inet4Address) && Arrays.equals(x.getAddress(), y.getAddress());
        }
        if (a instanceof MacAddress x && b instanceof MacAddress y) {
            return Arrays.equals(x.bytes(), y.bytes());
        }
        return a.equals(b);
    }
}
