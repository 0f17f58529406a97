package podnet.linux.packet.decode;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import podnet.linux.inet.MacAddress;

/**
 * Decodes captured Ethernet frames layer by layer. Lengths come from the headers (so a frame cut
 * by the snap length still reports its real sizes); a header that does not fit in the captured
 * bytes becomes {@link Truncated}. Never throws on any input.
 */
public final class FrameDecoder {
    private FrameDecoder() {}

    private static final MacAddress ZERO_MAC = new MacAddress(new byte[6]);

    /** Decodes {@code data}, all of it captured, as it crossed the wire. */
    public static EthernetFrame decode(byte[] data) {
        return decode(data, data.length);
    }

    /** Decodes {@code data}, the first bytes of a frame of {@code wireLength} bytes. */
    public static EthernetFrame decode(byte[] data, int wireLength) {
        int wire = Math.max(wireLength, data.length);
        if (data.length < 14) {
            return new EthernetFrame(ZERO_MAC, ZERO_MAC, List.of(), 0, wire,
                    new Truncated("ethernet", 14, data.length));
        }
        MacAddress dst = new MacAddress(Arrays.copyOfRange(data, 0, 6));
        MacAddress src = new MacAddress(Arrays.copyOfRange(data, 6, 12));
        int off = 12;
        int type = u16(data, off);
        List<VlanTag> vlans = new ArrayList<>();
        while (type == EthernetFrame.VLAN || type == EthernetFrame.QINQ) {
            if (data.length < off + 6) {
                return new EthernetFrame(dst, src, vlans, type, wire,
                        new Truncated("802.1Q", off + 6, data.length));
            }
            int tci = u16(data, off + 2);
            vlans.add(new VlanTag(type, tci >>> 13, (tci & 0x1000) != 0, tci & 0xfff));
            off += 4;
            type = u16(data, off);
        }
        off += 2;
        int remaining = wire - off;
        NetworkLayer payload = switch (type) {
            case EthernetFrame.ARP -> arp(data, off, remaining);
            case EthernetFrame.IPV4 -> ipv4(data, off);
            case EthernetFrame.IPV6 -> ipv6(data, off);
            default -> new OtherPayload(type, remaining);
        };
        return new EthernetFrame(dst, src, vlans, type, wire, payload);
    }

    static NetworkLayer arp(byte[] d, int off, int length) {
        if (d.length < off + 8) {
            return new Truncated("arp", 8, d.length - off);
        }
        int htype = u16(d, off), ptype = u16(d, off + 2), hlen = u8(d, off + 4), plen = u8(d, off + 5);
        if (htype != 1 || ptype != 0x0800 || hlen != 6 || plen != 4) {
            return new OtherPayload(EthernetFrame.ARP, length);
        }
        if (d.length < off + 28) {
            return new Truncated("arp", 28, d.length - off);
        }
        return new ArpPacket(u16(d, off + 6), mac(d, off + 8), ipv4Address(d, off + 14), mac(d, off + 18),
                ipv4Address(d, off + 24), length);
    }

    /** Decodes an IPv4 packet starting at {@code off} (also used for ICMP's quoted header). */
    public static NetworkLayer ipv4(byte[] d, int off) {
        if (d.length < off + 20) {
            return new Truncated("ip", 20, Math.max(0, d.length - off));
        }
        int vihl = u8(d, off);
        int hlen = (vihl & 0xf) * 4;
        if (vihl >> 4 != 4 || hlen < 20) {
            return new Truncated("ip", 20, hlen); // a bad header length: nothing after it is trustworthy
        }
        if (d.length < off + hlen) {
            return new Truncated("ip", hlen, d.length - off);
        }
        int total = u16(d, off + 2);
        if (total < hlen) {
            return new Truncated("ip", hlen, total);
        }
        int fragField = u16(d, off + 6);
        int flags = fragField >>> 13;
        int fragOffset = (fragField & 0x1fff) * 8;
        int proto = u8(d, off + 9);
        int start = off + hlen;
        int length = total - hlen;
        TransportLayer payload = fragOffset != 0
                ? new Fragment(proto, fragOffset, length)
                : transport(d, start, length, proto, false);
        return new Ipv4Packet(ipv4Address(d, off + 12), ipv4Address(d, off + 16), hlen, total, u16(d, off + 4),
                flags, fragOffset, u8(d, off + 8), proto, payload);
    }

    static NetworkLayer ipv6(byte[] d, int off) {
        if (d.length < off + 40) {
            return new Truncated("ip6", 40, d.length - off);
        }
        int payloadLength = u16(d, off + 4);
        int next = u8(d, off + 6);
        int at = off + 40;
        int left = payloadLength;
        List<Integer> ext = new ArrayList<>();
        TransportLayer payload = null;
        while (payload == null) {
            switch (next) {
                case Ipv6Packet.HOP_BY_HOP, Ipv6Packet.ROUTING, Ipv6Packet.DEST_OPTIONS, Ipv6Packet.FRAGMENT -> {
                    if (d.length < at + 8) {
                        payload = new Truncated("ip6 extension header", 8, d.length - at);
                        break;
                    }
                    int len = next == Ipv6Packet.FRAGMENT ? 8 : (u8(d, at + 1) + 1) * 8;
                    ext.add(next);
                    if (len > left) {
                        payload = new Truncated("ip6 extension header", len, left);
                        break;
                    }
                    int following = u8(d, at);
                    if (next == Ipv6Packet.FRAGMENT && (u16(d, at + 2) & 0xfff8) != 0) {
                        payload = new Fragment(following, u16(d, at + 2) & 0xfff8, left - len);
                    }
                    next = following;
                    at += len;
                    left -= len;
                }
                default -> payload = transport(d, at, left, next, true);
            }
        }
        return new Ipv6Packet(ipv6Address(d, off + 8), ipv6Address(d, off + 24), payloadLength, u8(d, off + 7),
                ext, next, payload);
    }

    private static TransportLayer transport(byte[] d, int off, int length, int proto, boolean v6) {
        return switch (proto) {
            case Ipv4Packet.ICMP -> v6 ? new OtherPayload(proto, length) : icmp(d, off, length);
            case Ipv4Packet.ICMPV6 -> icmp6(d, off, length);
            case Ipv4Packet.TCP -> tcp(d, off, length);
            case Ipv4Packet.UDP -> udp(d, off, length);
            default -> new OtherPayload(proto, length);
        };
    }

    static TransportLayer icmp(byte[] d, int off, int length) {
        if (d.length < off + 8 || length < 8) {
            return new Truncated("icmp", 8, Math.min(length, d.length - off));
        }
        int type = u8(d, off);
        Ipv4Packet quoted = null;
        if (type == IcmpMessage.UNREACHABLE || type == IcmpMessage.TIME_EXCEEDED || type == IcmpMessage.REDIRECT) {
            int end = Math.min(d.length, off + length);
            byte[] inner = Arrays.copyOfRange(d, 0, end);
            if (ipv4(inner, off + 8) instanceof Ipv4Packet p) {
                quoted = p;
            }
        }
        return new IcmpMessage(type, u8(d, off + 1), u16(d, off + 4), u16(d, off + 6), length, quoted);
    }

    static TransportLayer icmp6(byte[] d, int off, int length) {
        if (d.length < off + 4 || length < 4) {
            return new Truncated("icmp6", 4, Math.min(length, d.length - off));
        }
        int type = u8(d, off), code = u8(d, off + 1);
        int id = 0, seq = 0, groups = 0;
        long mtu = 0;
        Inet6Address target = null, destination = null;
        Ipv6Packet quoted = null;
        int have = Math.min(length, d.length - off);
        switch (type) {
            case Icmpv6Message.ECHO_REQUEST, Icmpv6Message.ECHO_REPLY -> {
                if (have < 8) {
                    return new Truncated("icmp6 echo", 8, have);
                }
                id = u16(d, off + 4);
                seq = u16(d, off + 6);
            }
            case Icmpv6Message.NEIGHBOR_SOLICITATION, Icmpv6Message.NEIGHBOR_ADVERTISEMENT -> {
                if (have < 24) {
                    return new Truncated("icmp6 neighbor discovery", 24, have);
                }
                target = ipv6Address(d, off + 8);
            }
            case Icmpv6Message.REDIRECT -> {
                if (have < 40) {
                    return new Truncated("icmp6 redirect", 40, have);
                }
                target = ipv6Address(d, off + 8);
                destination = ipv6Address(d, off + 24);
            }
            case Icmpv6Message.MLD2_REPORT -> {
                if (have < 8) {
                    return new Truncated("icmp6 mld", 8, have);
                }
                groups = u16(d, off + 6);
            }
            case Icmpv6Message.UNREACHABLE, Icmpv6Message.PACKET_TOO_BIG, Icmpv6Message.TIME_EXCEEDED -> {
                if (have < 8) {
                    return new Truncated("icmp6", 8, have);
                }
                mtu = u32(d, off + 4);
                if (ipv6(Arrays.copyOfRange(d, 0, off + have), off + 8) instanceof Ipv6Packet p) {
                    quoted = p;
                }
            }
            default -> { }
        }
        return new Icmpv6Message(type, code, id, seq, target, destination, groups, mtu, quoted, length);
    }

    static TransportLayer tcp(byte[] d, int off, int length) {
        if (d.length < off + 20 || length < 20) {
            return new Truncated("tcp", 20, Math.min(length, d.length - off));
        }
        int hlen = (u8(d, off + 12) >>> 4) * 4;
        if (hlen < 20 || hlen > length) {
            return new Truncated("tcp", Math.max(hlen, 20), hlen < 20 ? hlen : length);
        }
        List<TcpOption> options = new ArrayList<>();
        int end = Math.min(off + hlen, d.length);
        int at = off + 20;
        while (at < end) {
            int kind = u8(d, at);
            if (kind == TcpOption.EOL || kind == TcpOption.NOP) {
                options.add(new TcpOption(kind, new long[0]));
                at++;
                if (kind == TcpOption.EOL) {
                    break;
                }
                continue;
            }
            if (at + 2 > end || u8(d, at + 1) < 2 || at + u8(d, at + 1) > end) {
                options.add(new TcpOption(-1, new long[0])); // options cut short: marked, not guessed
                break;
            }
            int len = u8(d, at + 1);
            options.add(new TcpOption(kind, optionValues(d, at, kind, len)));
            at += len;
        }
        return new TcpSegment(u16(d, off), u16(d, off + 2), u32(d, off + 4), u32(d, off + 8),
                u8(d, off + 13), u16(d, off + 14), u16(d, off + 18), options, length - hlen);
    }

    private static long[] optionValues(byte[] d, int at, int kind, int len) {
        return switch (kind) {
            case TcpOption.MSS -> len == 4 ? new long[] {u16(d, at + 2)} : new long[] {-len};
            case TcpOption.WSCALE -> len == 3 ? new long[] {u8(d, at + 2)} : new long[] {-len};
            case TcpOption.TIMESTAMP -> len == 10 ? new long[] {u32(d, at + 2), u32(d, at + 6)} : new long[] {-len};
            case TcpOption.SACK -> {
                long[] v = new long[(len - 2) / 8 * 2];
                for (int i = 0; i < v.length; i++) {
                    v[i] = u32(d, at + 2 + 4 * i);
                }
                yield v;
            }
            default -> new long[] {len};
        };
    }

    static TransportLayer udp(byte[] d, int off, int length) {
        if (d.length < off + 8 || length < 8) {
            return new Truncated("udp", 8, Math.min(length, d.length - off));
        }
        int ulen = u16(d, off + 4);
        UdpDatagram u = new UdpDatagram(u16(d, off), u16(d, off + 2), ulen, Math.max(0, Math.min(ulen, length) - 8));
        int dport = u.destinationPort();
        if ((dport == VxlanDatagram.IANA_PORT || dport == VxlanDatagram.LINUX_PORT)
                && u.payloadLength() >= VxlanDatagram.HEADER && d.length >= off + 8 + VxlanDatagram.HEADER) {
            int h = off + 8;
            int end = Math.min(d.length, off + 8 + u.payloadLength());
            byte[] inner = Arrays.copyOfRange(d, h + VxlanDatagram.HEADER, Math.max(h + VxlanDatagram.HEADER, end));
            return new VxlanDatagram(u, u8(d, h), (int) (u32(d, h) & 0xffffff), (int) (u32(d, h + 4) >>> 8),
                    decode(inner, u.payloadLength() - VxlanDatagram.HEADER));
        }
        return u;
    }

    // ---- big-endian reads and addresses ---------------------------------------------------

    static int u8(byte[] d, int off) {
        return d[off] & 0xff;
    }

    static int u16(byte[] d, int off) {
        return (d[off] & 0xff) << 8 | d[off + 1] & 0xff;
    }

    static long u32(byte[] d, int off) {
        return Integer.toUnsignedLong((d[off] & 0xff) << 24 | (d[off + 1] & 0xff) << 16
                | (d[off + 2] & 0xff) << 8 | d[off + 3] & 0xff);
    }

    private static MacAddress mac(byte[] d, int off) {
        return new MacAddress(Arrays.copyOfRange(d, off, off + 6));
    }

    private static Inet4Address ipv4Address(byte[] d, int off) {
        return (Inet4Address) address(Arrays.copyOfRange(d, off, off + 4));
    }

    private static Inet6Address ipv6Address(byte[] d, int off) {
        // Built directly: InetAddress.getByAddress would turn a v4-mapped address into IPv4.
        try {
            return Inet6Address.getByAddress(null, Arrays.copyOfRange(d, off, off + 16), -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw); // no name lookup: the bytes are the address
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // only for a wrong length, which cannot happen here
        }
    }
}
