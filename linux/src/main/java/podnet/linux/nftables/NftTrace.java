package podnet.linux.nftables;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * One nf_tables trace event ({@code NFT_MSG_TRACE}, what {@code nft monitor trace} prints): a
 * traced packet met a rule (RULE), fell off the end of a regular chain (RETURN) or of a base
 * chain (POLICY). Every event of one packet's pass carries the same {@code id}; the first one
 * also carries its headers (the others have them null).
 *
 * @param ruleHandle the rule's handle (0 for POLICY and RETURN events)
 * @param verdict    NF_DROP 0, NF_ACCEPT 1, NFT_CONTINUE -1, NFT_JUMP -3, NFT_RETURN -5, ...
 * @param network    the network header's first bytes (IPv4: from the version byte), or null
 * @param transport  the transport header's first bytes, or null
 */
public record NftTrace(int id, Type type, int family, String table, String chain, long ruleHandle, int verdict,
        byte[] network, byte[] transport, int iif, int oif) {

    public enum Type { UNSPEC, POLICY, RETURN, RULE }

    public static final int VERDICT_DROP = 0, VERDICT_ACCEPT = 1, VERDICT_CONTINUE = -1;

    /** Whether this event is the rule or policy that dropped the packet. */
    public boolean dropped() {
        return verdict == VERDICT_DROP && (type == Type.RULE || type == Type.POLICY);
    }

    /** The IPv4 header's protocol (6 TCP, 17 UDP, 1 ICMP), or -1 without an IPv4 header. */
    public int protocol() {
        return ipv4() ? network[9] & 0xff : -1;
    }

    public InetAddress source() {
        return ipv4() ? address(12) : null;
    }

    public InetAddress destination() {
        return ipv4() ? address(16) : null;
    }

    /** TCP or UDP source port; 0 for other protocols or without the transport header. */
    public int sourcePort() {
        return ports() ? (transport[0] & 0xff) << 8 | transport[1] & 0xff : 0;
    }

    public int destinationPort() {
        return ports() ? (transport[2] & 0xff) << 8 | transport[3] & 0xff : 0;
    }

    private boolean ipv4() {
        return network != null && network.length >= 20 && (network[0] & 0xf0) == 0x40;
    }

    private boolean ports() {
        int p = protocol();
        return (p == 6 || p == 17) && transport != null && transport.length >= 4;
    }

    private InetAddress address(int at) {
        byte[] a = new byte[4];
        System.arraycopy(network, at, a, 0, 4);
        try {
            return InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }
}
