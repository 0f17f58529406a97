package podnet.node.observe;

/**
 * Reads what a flow table needs from a captured frame where it lies (a ring block's copy),
 * into this object's fields: one parser per capture thread, reused for every frame, so that
 * observing a flood allocates nothing per frame (a young collection of a busy observer once
 * paused it for half a second here). {@link FrameHeaders} is the same result as a value.
 * Frames that are neither ARP nor IP make {@link #parse} false. VLAN tags are skipped.
 */
final class FrameParser {
    static final int IPV4 = 0x0800, IPV6 = 0x86dd, ARP = 0x0806, VLAN = 0x8100, QINQ = 0x88a8;

    // The flow key in canonical order (see FlowKey), and the frame's direction along it.
    int family, protocol, aPort, bPort;
    long aHi, aLo, bHi, bLo;
    boolean fromA;
    int etherType, length, tcpFlags, icmpType, icmpCode;
    /** For an ICMP error, the flow of the packet it quotes (made only then), else null. */
    FlowKey quoted;
    boolean quotedFromA;
    /** An ARP request or an ICMPv6 neighbour solicitation. */
    boolean arpRequest;

    /** Parses the frame whose {@code captured} bytes start at {@code base} in {@code d}. */
    boolean parse(byte[] d, int base, int captured, int wireLength) {
        if (captured < 14) {
            return false;
        }
        int end = base + captured;
        int off = base + 12;
        int type = u16(d, off);
        while ((type == VLAN || type == QINQ) && end >= off + 6) {
            off += 4;
            type = u16(d, off);
        }
        off += 2;
        return switch (type) {
            case IPV4 -> ipv4(d, off, end, wireLength, false);
            case IPV6 -> ipv6(d, off, end, wireLength, false);
            case ARP -> arp(d, off, end, wireLength);
            default -> false;
        };
    }

    /** The flow key (a new object: for a new flow, not for every frame). */
    FlowKey key() {
        return new FlowKey(family, protocol, aHi, aLo, bHi, bLo, aPort, bPort);
    }

    boolean keyEquals(FlowKey k) {
        return k.aLo() == aLo && k.bLo() == bLo && k.aPort() == aPort && k.bPort() == bPort && k.aHi() == aHi
                && k.bHi() == bHi && k.protocol() == protocol && k.family() == family;
    }

    int keyHash() {
        return FlowKey.hash(family, protocol, aHi, aLo, bHi, bLo, aPort, bPort);
    }

    /** The result as a value. */
    FrameHeaders headers() {
        return new FrameHeaders(key(), fromA, etherType, length, tcpFlags, icmpType, icmpCode, quoted, quotedFromA,
                arpRequest);
    }

    private boolean arp(byte[] d, int off, int end, int len) {
        if (end < off + 28 || u16(d, off) != 1 || u16(d, off + 2) != IPV4 || d[off + 4] != 6 || d[off + 5] != 4) {
            return false;
        }
        int op = u16(d, off + 6);
        long sender = u32(d, off + 14), target = u32(d, off + 24);
        setKey(FlowKey.ARP, 0, 0, sender, 0, 0, target, 0);
        etherType = ARP;
        length = len;
        tcpFlags = 0;
        icmpType = -1;
        icmpCode = 0;
        quoted = null;
        quotedFromA = false;
        arpRequest = op == 1;
        return true;
    }

    /** An IPv4 packet at {@code off}; {@code quotedOnly}: it is inside an ICMP error, go no deeper. */
    private boolean ipv4(byte[] d, int off, int end, int len, boolean quotedOnly) {
        if (end < off + 20 || (d[off] >> 4 & 0xf) != 4) {
            return false;
        }
        int hl = (d[off] & 0xf) * 4;
        int proto = d[off + 9] & 0xff;
        boolean firstFragment = (u16(d, off + 6) & 0x1fff) == 0;
        long src = u32(d, off + 12), dst = u32(d, off + 16);
        return transport(d, off + hl, end, len, 4, proto, 0, src, 0, dst, firstFragment, quotedOnly, IPV4);
    }

    private boolean ipv6(byte[] d, int off, int end, int len, boolean quotedOnly) {
        if (end < off + 40 || (d[off] >> 4 & 0xf) != 6) {
            return false;
        }
        long sHi = u64(d, off + 8), sLo = u64(d, off + 16), dHi = u64(d, off + 24), dLo = u64(d, off + 32);
        int next = d[off + 6] & 0xff;
        int at = off + 40;
        boolean first = true;
        // hop-by-hop, routing, fragment, destination options: walk to the upper layer
        while ((next == 0 || next == 43 || next == 44 || next == 60) && end >= at + 8) {
            if (next == 44) {
                first = (u16(d, at + 2) & 0xfff8) == 0;
            }
            int hlen = next == 44 ? 8 : ((d[at + 1] & 0xff) + 1) * 8;
            next = d[at] & 0xff;
            at += hlen;
        }
        return transport(d, at, end, len, 6, next, sHi, sLo, dHi, dLo, first, quotedOnly, IPV6);
    }

    private boolean transport(byte[] d, int at, int end, int len, int fam, int proto, long sHi, long sLo,
            long dHi, long dLo, boolean firstFragment, boolean quotedOnly, int ether) {
        int sPort = 0, dPort = 0, flags = 0, type = -1, code = 0;
        FlowKey inner = null;
        boolean innerFromA = false, solicit = false;
        boolean have4 = firstFragment && end >= at + 4;
        if ((proto == FlowKey.TCP || proto == FlowKey.UDP) && have4) {
            sPort = u16(d, at);
            dPort = u16(d, at + 2);
            if (proto == FlowKey.TCP && end >= at + 14) {
                flags = d[at + 13] & 0xff;
            }
        } else if ((proto == FlowKey.ICMP || proto == FlowKey.ICMPV6) && have4) {
            type = d[at] & 0xff;
            code = d[at + 1] & 0xff;
            boolean echo = proto == FlowKey.ICMP ? type == 0 || type == 8 : type == 128 || type == 129;
            if (echo && end >= at + 6) {
                sPort = dPort = u16(d, at + 4); // the echo id ties a request to its reply
            } else if (FrameHeaders.isError(proto, type) && !quotedOnly && end >= at + 8) {
                FrameParser q = new FrameParser(); // an ICMP error: rare, may allocate
                boolean ok = proto == FlowKey.ICMP ? q.ipv4(d, at + 8, end, 0, true) : q.ipv6(d, at + 8, end, 0, true);
                if (ok) {
                    inner = q.key();
                    innerFromA = q.fromA;
                }
            }
            solicit = proto == FlowKey.ICMPV6 && type == 135;
        }
        setKey(fam, proto, sHi, sLo, sPort, dHi, dLo, dPort);
        etherType = ether;
        length = len;
        tcpFlags = flags;
        icmpType = type;
        icmpCode = code;
        quoted = inner;
        quotedFromA = innerFromA;
        arpRequest = solicit;
        return true;
    }

    private void setKey(int fam, int proto, long sHi, long sLo, int sPort, long dHi, long dLo, int dPort) {
        family = fam;
        protocol = proto;
        fromA = FlowKey.sourceIsA(sHi, sLo, sPort, dHi, dLo, dPort);
        if (fromA) {
            aHi = sHi;
            aLo = sLo;
            aPort = sPort;
            bHi = dHi;
            bLo = dLo;
            bPort = dPort;
        } else {
            aHi = dHi;
            aLo = dLo;
            aPort = dPort;
            bHi = sHi;
            bLo = sLo;
            bPort = sPort;
        }
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
