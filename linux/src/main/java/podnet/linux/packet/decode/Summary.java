package podnet.linux.packet.decode;

import java.net.InetAddress;
import java.util.StringJoiner;

/**
 * One-line descriptions of decoded frames in the style of {@code tcpdump -n -S} (absolute TCP
 * sequence numbers, no application-layer decoding), e.g.
 * {@code ARP, Request who-has 10.244.2.208 tell 10.244.2.207, length 28} or
 * {@code IP 10.244.2.207 > 10.244.2.208: ICMP echo request, id 1, seq 1, length 64}.
 */
public final class Summary {
    private Summary() {}

    public static String of(byte[] frame, int wireLength) {
        return of(FrameDecoder.decode(frame, wireLength));
    }

    public static String of(EthernetFrame f) {
        return of(f, null);
    }

    /**
     * As tcpdump prints it by default, with TCP sequence numbers relative to the connection's
     * first ones as tracked by {@code sequences} (null: absolute, like {@code tcpdump -S}).
     */
    public static String of(EthernetFrame frame, RelativeSequences sequences) {
        EthernetFrame f = sequences == null ? frame : relative(frame, sequences);
        return switch (f.payload()) {
            case Truncated t when f.etherType() == 0 -> t.marker();
            case Truncated t -> etherName(f.etherType()) + " " + t.marker();
            case ArpPacket a -> arp(a);
            case Ipv4Packet ip -> ipv4(ip);
            case Ipv6Packet ip -> ipv6(ip);
            case OtherPayload o when o.protocol() < 0x600 -> "802.3, length " + o.length();
            case OtherPayload o -> String.format("%s > %s, ethertype Unknown (0x%04x), length %d", f.source(),
                    f.destination(), o.protocol(), f.wireLength()); // tcpdump adds a hex dump; we do not
        };
    }

    private static EthernetFrame relative(EthernetFrame f, RelativeSequences seqs) {
        NetworkLayer n = switch (f.payload()) {
            case Ipv4Packet ip when ip.payload() instanceof TcpSegment t -> new Ipv4Packet(ip.source(),
                    ip.destination(), ip.headerLength(), ip.totalLength(), ip.id(), ip.flags(), ip.fragmentOffset(),
                    ip.ttl(), ip.protocol(), seqs.apply(ip.source(), ip.destination(), t));
            case Ipv6Packet ip when ip.payload() instanceof TcpSegment t -> new Ipv6Packet(ip.source(),
                    ip.destination(), ip.payloadLength(), ip.hopLimit(), ip.extensionHeaders(), ip.protocol(),
                    seqs.apply(ip.source(), ip.destination(), t));
            default -> null;
        };
        return n == null ? f : new EthernetFrame(f.destination(), f.source(), f.vlans(), f.etherType(), f.wireLength(), n);
    }

    private static String etherName(int type) {
        return switch (type) {
            case EthernetFrame.ARP -> "ARP,";
            case EthernetFrame.IPV4 -> "IP";
            case EthernetFrame.IPV6 -> "IP6";
            default -> String.format("ethertype 0x%04x", type);
        };
    }

    static String arp(ArpPacket a) {
        String ip = InetText.of(a.targetIp());
        return switch (a.operation()) {
            case ArpPacket.REQUEST -> "ARP, Request who-has " + ip
                    + (isZero(a.targetMac().bytes()) ? "" : " (" + a.targetMac() + ")")
                    + " tell " + InetText.of(a.senderIp()) + ", length " + a.length();
            case ArpPacket.REPLY -> "ARP, Reply " + InetText.of(a.senderIp()) + " is-at " + a.senderMac()
                    + ", length " + a.length();
            default -> "ARP, Unknown (" + a.operation() + "), length " + a.length();
        };
    }

    static String ipv4(Ipv4Packet ip) {
        return "IP " + body(ip.source(), ip.destination(), ip.payload(), "");
    }

    static String ipv6(Ipv6Packet ip) {
        StringBuilder prefix = new StringBuilder();
        for (int h : ip.extensionHeaders()) {
            prefix.append(switch (h) {
                case Ipv6Packet.HOP_BY_HOP -> "HBH ";
                case Ipv6Packet.DEST_OPTIONS -> "DSTOPT ";
                case Ipv6Packet.ROUTING -> "srcrt ";
                default -> "frag ";
            });
        }
        return "IP6 " + body(ip.source(), ip.destination(), ip.payload(), prefix.toString());
    }

    private static String body(InetAddress src, InetAddress dst, TransportLayer t, String prefix) {
        String s = InetText.of(src), d = InetText.of(dst);
        return switch (t) {
            case TcpSegment tcp -> s + "." + tcp.sourcePort() + " > " + d + "." + tcp.destinationPort() + ": "
                    + prefix + tcp(tcp);
            case UdpDatagram u -> s + "." + u.sourcePort() + " > " + d + "." + u.destinationPort() + ": "
                    + prefix + "UDP, length " + u.payloadLength();
            case VxlanDatagram v -> s + "." + v.udp().sourcePort() + " > " + d + "." + v.udp().destinationPort() + ": "
                    + prefix + vxlan(v);
            case IcmpMessage i -> s + " > " + d + ": " + prefix + icmp(i);
            case Icmpv6Message i -> s + " > " + d + ": " + prefix + icmp6(i);
            case Fragment f -> s + " > " + d + ": " + prefix + "ip-proto-" + f.protocol(); // as tcpdump: no ports
            case OtherPayload o -> s + " > " + d + ": " + prefix + " ip-proto-" + o.protocol() + " " + o.length();
            case Truncated tr -> s + " > " + d + ": " + prefix + tr.marker();
        };
    }

    /**
     * tcpdump's VXLAN (4789) or OTV (8472) header, then — on a line of its own, as tcpdump
     * prints it — the inner frame.
     */
    static String vxlan(VxlanDatagram v) {
        String flags = String.format("flags [%s] (0x%02x)", (v.flags() & 0x08) != 0 ? "I" : ".", v.flags());
        String head = v.otv() ? "OTV, " + flags + ", overlay " + v.reserved() + ", instance " + v.vni()
                : "VXLAN, " + flags + ", vni " + v.vni();
        return head + "\n" + of(v.inner());
    }

    static String icmp(IcmpMessage i) {
        String what = switch (i.type()) {
            case IcmpMessage.ECHO_REQUEST -> "echo request, id " + i.id() + ", seq " + i.sequence();
            case IcmpMessage.ECHO_REPLY -> "echo reply, id " + i.id() + ", seq " + i.sequence();
            case IcmpMessage.UNREACHABLE -> unreachable(i);
            case IcmpMessage.TIME_EXCEEDED -> i.code() == 0 ? "time exceeded in-transit" : "ip reassembly time exceeded";
            case IcmpMessage.REDIRECT -> "redirect";
            default -> "type-#" + i.type();
        };
        return "ICMP " + what + ", length " + i.length();
    }

    private static String unreachable(IcmpMessage i) {
        Ipv4Packet q = i.quoted();
        if (q == null) {
            return "unreachable, code " + i.code();
        }
        String dst = InetText.of(q.destination());
        return switch (i.code()) {
            case 0 -> "net " + dst + " unreachable";
            case 1 -> "host " + dst + " unreachable";
            case 2 -> dst + " protocol " + q.protocol() + " unreachable";
            case 3 -> switch (q.payload()) {
                case UdpDatagram u -> dst + " udp port " + u.destinationPort() + " unreachable";
                case TcpSegment t -> dst + " tcp port " + t.destinationPort() + " unreachable";
                default -> dst + " port unreachable";
            };
            case 4 -> dst + " unreachable - need to frag";
            case 13 -> dst + " unreachable - admin prohibited filter";
            default -> dst + " unreachable, code " + i.code();
        };
    }

    static String icmp6(Icmpv6Message i) {
        String what = switch (i.type()) {
            case Icmpv6Message.ECHO_REQUEST -> "echo request, id " + i.id() + ", seq " + i.sequence();
            case Icmpv6Message.ECHO_REPLY -> "echo reply, id " + i.id() + ", seq " + i.sequence();
            case Icmpv6Message.NEIGHBOR_SOLICITATION -> "neighbor solicitation, who has " + InetText.of(i.target());
            case Icmpv6Message.NEIGHBOR_ADVERTISEMENT -> "neighbor advertisement, tgt is " + InetText.of(i.target());
            case Icmpv6Message.ROUTER_SOLICITATION -> "router solicitation";
            case Icmpv6Message.ROUTER_ADVERTISEMENT -> "router advertisement";
            case Icmpv6Message.REDIRECT -> "redirect, " + InetText.of(i.destination()) + " to " + InetText.of(i.target());
            case Icmpv6Message.UNREACHABLE -> unreachable6(i);
            case Icmpv6Message.PACKET_TOO_BIG -> "packet too big, mtu " + i.mtu();
            case Icmpv6Message.TIME_EXCEEDED -> i.code() == 1 ? "ip6 reassembly time exceeded"
                    : "time exceeded in-transit" + (i.quoted() == null ? "" : " for " + InetText.of(i.quoted().destination()));
            case Icmpv6Message.MLD_QUERY -> "multicast listener query";
            case Icmpv6Message.MLD_REPORT -> "multicast listener report";
            case Icmpv6Message.MLD_DONE -> "multicast listener done";
            case Icmpv6Message.MLD2_REPORT -> "multicast listener report v2, " + i.groupRecords() + " group record(s)";
            default -> "type-#" + i.type();
        };
        return "ICMP6, " + what + ", length " + i.length();
    }

    private static String unreachable6(Icmpv6Message i) {
        Ipv6Packet q = i.quoted();
        String what = switch (i.code()) {
            case 0 -> "unreachable route";
            case 1 -> "unreachable prohibited";
            case 2 -> "beyond scope";
            case 3 -> "unreachable address";
            case 4 -> "unreachable port";
            default -> "unknown unreach code (" + i.code() + ")";
        };
        if (q == null) {
            return "destination unreachable, " + what;
        }
        String dst = InetText.of(q.destination());
        String detail = switch (i.code()) {
            case 0, 1, 3 -> " " + dst;
            case 2 -> " " + dst + ", source address " + InetText.of(q.source());
            case 4 -> switch (q.payload()) {
                case UdpDatagram u -> ", " + dst + " udp port " + u.destinationPort();
                case TcpSegment t -> ", " + dst + " tcp port " + t.destinationPort();
                default -> ", " + dst + " protocol " + q.protocol() + " unreachable";
            };
            default -> "";
        };
        return "destination unreachable, " + what + detail;
    }

    static String tcp(TcpSegment t) {
        StringBuilder sb = new StringBuilder("Flags [").append(flags(t.flags())).append(']');
        int len = t.payloadLength();
        if (len > 0 || t.has(TcpSegment.SYN | TcpSegment.FIN | TcpSegment.RST)) {
            sb.append(", seq ").append(t.sequence());
            if (len > 0) {
                sb.append(':').append((t.sequence() + len) & 0xffffffffL);
            }
        }
        if (t.has(TcpSegment.ACK)) {
            sb.append(", ack ").append(t.acknowledgment());
        }
        sb.append(", win ").append(t.window());
        if (t.has(TcpSegment.URG)) {
            sb.append(", urg ").append(t.urgentPointer());
        }
        if (!t.options().isEmpty()) {
            StringJoiner j = new StringJoiner(",", ", options [", "]");
            for (TcpOption o : t.options()) {
                j.add(option(o));
            }
            sb.append(j);
        }
        return sb.append(", length ").append(len).toString();
    }

    private static String option(TcpOption o) {
        long[] v = o.values();
        return switch (o.kind()) {
            case TcpOption.EOL -> "eol";
            case TcpOption.NOP -> "nop";
            case TcpOption.MSS -> v[0] < 0 ? "mss [bad opt]" : "mss " + v[0];
            case TcpOption.WSCALE -> v[0] < 0 ? "wscale [bad opt]" : "wscale " + v[0];
            case TcpOption.SACK_OK -> "sackOK";
            case TcpOption.TIMESTAMP -> v[0] < 0 ? "TS [bad opt]" : "TS val " + v[0] + " ecr " + v[1];
            case TcpOption.SACK -> {
                StringBuilder sb = new StringBuilder("sack ").append(v.length / 2).append(' ');
                for (int i = 0; i + 1 < v.length; i += 2) {
                    sb.append('{').append(v[i]).append(':').append(v[i + 1]).append('}');
                }
                yield sb.toString();
            }
            case -1 -> "[truncated options]";
            default -> "unknown-" + o.kind();
        };
    }

    /** tcpdump's flag letters in its order: F S R P . U E W, or "none". */
    static String flags(int f) {
        StringBuilder sb = new StringBuilder();
        char[] letters = {'F', 'S', 'R', 'P', '.', 'U', 'E', 'W'};
        for (int i = 0; i < 8; i++) {
            if ((f & (1 << i)) != 0) {
                sb.append(letters[i]);
            }
        }
        return sb.isEmpty() ? "none" : sb.toString();
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
