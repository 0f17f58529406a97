package podnet.node.observe;

/**
 * The little a flow table needs from a captured frame, read straight from its bytes with no
 * allocation but the result (this runs for every frame at 100k+ frames/s): the flow key and
 * direction, the length, TCP flags, ICMP type, and for ICMP errors the key of the packet they
 * quote. VLAN tags are skipped. Frames that are neither ARP nor IP give null.
 *
 * @param fromA       whether the packet went from end A to end B of its key
 * @param etherType   0x0800, 0x86dd or 0x0806 (after any VLAN tags)
 * @param icmpType    the ICMP/ICMPv6 type, -1 if not ICMP
 * @param quoted      for an ICMP error, the flow of the packet it quotes (else null)
 * @param arpRequest  an ARP request or an ICMPv6 neighbour solicitation
 */
public record FrameHeaders(FlowKey key, boolean fromA, int etherType, int length, int tcpFlags, int icmpType,
        int icmpCode, FlowKey quoted, boolean quotedFromA, boolean arpRequest) {
    static final int IPV4 = 0x0800, IPV6 = 0x86dd, ARP = 0x0806, VLAN = 0x8100, QINQ = 0x88a8;

    /** Parses a frame of {@code wireLength} bytes of which {@code d} were captured. */
    public static FrameHeaders parse(byte[] d, int wireLength) {
        if (d.length < 14) {
            return null;
        }
        int off = 12;
        int type = u16(d, off);
        while ((type == VLAN || type == QINQ) && d.length >= off + 6) {
            off += 4;
            type = u16(d, off);
        }
        off += 2;
        return switch (type) {
            case IPV4 -> ipv4(d, off, wireLength, false);
            case IPV6 -> ipv6(d, off, wireLength, false);
            case ARP -> arp(d, off, wireLength);
            default -> null;
        };
    }

    private static FrameHeaders arp(byte[] d, int off, int len) {
        if (d.length < off + 28 || u16(d, off) != 1 || u16(d, off + 2) != IPV4 || d[off + 4] != 6 || d[off + 5] != 4) {
            return null;
        }
        int op = u16(d, off + 6);
        long sender = u32(d, off + 14), target = u32(d, off + 24);
        boolean fromA = FlowKey.sourceIsA(0, sender, 0, 0, target, 0);
        return new FrameHeaders(FlowKey.of(FlowKey.ARP, 0, 0, sender, 0, 0, target, 0), fromA, ARP, len, 0, -1, 0,
                null, false, op == 1);
    }

    /** An IPv4 packet at {@code off}; {@code quotedOnly}: it is inside an ICMP error, go no deeper. */
    private static FrameHeaders ipv4(byte[] d, int off, int len, boolean quotedOnly) {
        if (d.length < off + 20 || (d[off] >> 4 & 0xf) != 4) {
            return null;
        }
        int hl = (d[off] & 0xf) * 4;
        int proto = d[off + 9] & 0xff;
        boolean firstFragment = (u16(d, off + 6) & 0x1fff) == 0;
        long src = u32(d, off + 12), dst = u32(d, off + 16);
        return transport(d, off + hl, len, 4, proto, 0, src, 0, dst, firstFragment, quotedOnly, IPV4);
    }

    private static FrameHeaders ipv6(byte[] d, int off, int len, boolean quotedOnly) {
        if (d.length < off + 40 || (d[off] >> 4 & 0xf) != 6) {
            return null;
        }
        long sHi = u64(d, off + 8), sLo = u64(d, off + 16), dHi = u64(d, off + 24), dLo = u64(d, off + 32);
        int next = d[off + 6] & 0xff;
        int at = off + 40;
        boolean first = true;
        // hop-by-hop, routing, fragment, destination options: walk to the upper layer
        while ((next == 0 || next == 43 || next == 44 || next == 60) && d.length >= at + 8) {
            if (next == 44) {
                first = (u16(d, at + 2) & 0xfff8) == 0;
            }
            int hlen = next == 44 ? 8 : ((d[at + 1] & 0xff) + 1) * 8;
            next = d[at] & 0xff;
            at += hlen;
        }
        return transport(d, at, len, 6, next, sHi, sLo, dHi, dLo, first, quotedOnly, IPV6);
    }

    private static FrameHeaders transport(byte[] d, int at, int len, int family, int proto, long sHi, long sLo,
            long dHi, long dLo, boolean firstFragment, boolean quotedOnly, int etherType) {
        int sPort = 0, dPort = 0, flags = 0, icmpType = -1, icmpCode = 0;
        FlowKey quoted = null;
        boolean quotedFromA = false, solicit = false;
        boolean have4 = firstFragment && d.length >= at + 4;
        if ((proto == FlowKey.TCP || proto == FlowKey.UDP) && have4) {
            sPort = u16(d, at);
            dPort = u16(d, at + 2);
            if (proto == FlowKey.TCP && d.length >= at + 14) {
                flags = d[at + 13] & 0xff;
            }
        } else if ((proto == FlowKey.ICMP || proto == FlowKey.ICMPV6) && have4) {
            icmpType = d[at] & 0xff;
            icmpCode = d[at + 1] & 0xff;
            boolean echo = proto == FlowKey.ICMP ? icmpType == 0 || icmpType == 8 : icmpType == 128 || icmpType == 129;
            if (echo && d.length >= at + 6) {
                sPort = dPort = u16(d, at + 4); // the echo id ties a request to its reply
            } else if (isError(proto, icmpType) && !quotedOnly && d.length >= at + 8) {
                FrameHeaders inner = proto == FlowKey.ICMP ? ipv4(d, at + 8, 0, true) : ipv6(d, at + 8, 0, true);
                if (inner != null) {
                    quoted = inner.key;
                    quotedFromA = inner.fromA;
                }
            }
            solicit = proto == FlowKey.ICMPV6 && icmpType == 135;
        }
        boolean fromA = FlowKey.sourceIsA(sHi, sLo, sPort, dHi, dLo, dPort);
        FlowKey key = FlowKey.of(family, proto, sHi, sLo, sPort, dHi, dLo, dPort);
        return new FrameHeaders(key, fromA, etherType, len, flags, icmpType, icmpCode, quoted, quotedFromA, solicit);
    }

    /** ICMP destination unreachable, time exceeded, parameter problem (and ICMPv6's 1-4). */
    static boolean isError(int proto, int type) {
        return proto == FlowKey.ICMP ? type == 3 || type == 11 || type == 12 : type >= 1 && type <= 4;
    }

    private static int u16(byte[] d, int off) {
        return (d[off] & 0xff) << 8 | d[off + 1] & 0xff;
    }

    private static long u32(byte[] d, int off) {
        return (long) u16(d, off) << 16 | u16(d, off + 2);
    }

    private static long u64(byte[] d, int off) {
        return u32(d, off) << 32 | u32(d, off + 4);
    }
}
