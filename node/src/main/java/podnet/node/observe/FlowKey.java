package podnet.node.observe;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * What makes two packets one flow, the same whichever way they go: the protocol and both ends
 * (address and port), ordered so that end A is the smaller one. Addresses are kept as two
 * longs (IPv4 in the low 32 bits) so a key is small and cheap to hash: the table holds up to
 * hundreds of thousands of them.
 *
 * @param family   4 (IPv4), 6 (IPv6) or {@link #ARP}
 * @param protocol the IP protocol (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6); 0 for ARP
 * @param aPort    end A's port; for ICMP echo the echo id on both ends; 0 where there are none
 */
public record FlowKey(int family, int protocol, long aHi, long aLo, long bHi, long bLo, int aPort, int bPort) {
    public static final int ARP = 0;
    public static final int TCP = 6, UDP = 17, ICMP = 1, ICMPV6 = 58;

    /** Spelled out (a record's own hash is unspecified) so that {@link FrameParser} can hash a frame's key unmade. */
    @Override
    public int hashCode() {
        return hash(family, protocol, aHi, aLo, bHi, bLo, aPort, bPort);
    }

    static int hash(int family, int protocol, long aHi, long aLo, long bHi, long bLo, int aPort, int bPort) {
        long h = aLo * 0x9E3779B97F4A7C15L + bLo;
        h = h * 31 + (aHi ^ bHi * 0x632BE59BD9B4E019L);
        h = h * 31 + ((long) aPort << 16 | bPort);
        h = h * 31 + (family << 8 | protocol);
        return (int) (h ^ h >>> 32);
    }

    /** The key of a packet from (src, srcPort) to (dst, dstPort), in canonical order. */
    static FlowKey of(int family, int protocol, long sHi, long sLo, int sPort, long dHi, long dLo, int dPort) {
        return sourceIsA(sHi, sLo, sPort, dHi, dLo, dPort)
                ? new FlowKey(family, protocol, sHi, sLo, dHi, dLo, sPort, dPort)
                : new FlowKey(family, protocol, dHi, dLo, sHi, sLo, dPort, sPort);
    }

    /** Whether the source end is end A of its key. */
    static boolean sourceIsA(long sHi, long sLo, int sPort, long dHi, long dLo, int dPort) {
        int c = Long.compareUnsigned(sHi, dHi);
        if (c == 0) {
            c = Long.compareUnsigned(sLo, dLo);
        }
        return c < 0 || c == 0 && sPort <= dPort;
    }

    public InetAddress a() {
        return address(aHi, aLo);
    }

    public InetAddress b() {
        return address(bHi, bLo);
    }

    private InetAddress address(long hi, long lo) {
        byte[] raw;
        if (family == 6) {
            raw = new byte[16];
            for (int i = 0; i < 8; i++) {
                raw[i] = (byte) (hi >>> (56 - 8 * i));
                raw[8 + i] = (byte) (lo >>> (56 - 8 * i));
            }
        } else {
            raw = new byte[] {(byte) (lo >>> 24), (byte) (lo >>> 16), (byte) (lo >>> 8), (byte) lo};
        }
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** tcp, udp, icmp, icmp6 or arp (and the number for others). */
    public String protocolName() {
        if (family == ARP) {
            return "arp";
        }
        return switch (protocol) {
            case TCP -> "tcp";
            case UDP -> "udp";
            case ICMP -> "icmp";
            case ICMPV6 -> "icmp6";
            default -> "ip-proto-" + protocol;
        };
    }

    /** Whether the protocol has ports worth printing. */
    public boolean hasPorts() {
        return protocol == TCP || protocol == UDP;
    }
}
