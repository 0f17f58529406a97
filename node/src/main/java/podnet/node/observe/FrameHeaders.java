package podnet.node.observe;

/**
 * The little a flow table needs from a captured frame, as a value: the flow key and direction,
 * the length, TCP flags, ICMP type, and for ICMP errors the key of the packet they quote. VLAN
 * tags are skipped. Frames that are neither ARP nor IP give null. The observer's capture thread
 * reads frames with a reused {@link FrameParser} instead, allocating nothing per frame.
 *
 * @param fromA       whether the packet went from end A to end B of its key
 * @param etherType   0x0800, 0x86dd or 0x0806 (after any VLAN tags)
 * @param icmpType    the ICMP/ICMPv6 type, -1 if not ICMP
 * @param quoted      for an ICMP error, the flow of the packet it quotes (else null)
 * @param arpRequest  an ARP request or an ICMPv6 neighbour solicitation
 */
public record FrameHeaders(FlowKey key, boolean fromA, int etherType, int length, int tcpFlags, int icmpType,
        int icmpCode, FlowKey quoted, boolean quotedFromA, boolean arpRequest) {
    static final int IPV4 = FrameParser.IPV4, IPV6 = FrameParser.IPV6, ARP = FrameParser.ARP;

    /** Parses a frame of {@code wireLength} bytes of which {@code d} were captured (see {@link FrameParser}). */
    public static FrameHeaders parse(byte[] d, int wireLength) {
        FrameParser p = new FrameParser();
        return p.parse(d, 0, d.length, wireLength) ? p.headers() : null;
    }

    /** ICMP destination unreachable, time exceeded, parameter problem (and ICMPv6's 1-4). */
    static boolean isError(int proto, int type) {
        return proto == FlowKey.ICMP ? type == 3 || type == 11 || type == 12 : type >= 1 && type <= 4;
    }
}
