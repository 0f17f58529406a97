package podnet.linux.nftables;

import static podnet.linux.nftables.NfTables.*;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import podnet.linux.inet.Cidr;

/**
 * The rules of a pod's hostport chain, one mapping at a time, as the reference portmap's
 * iptables rules mean them (in an inet table, so each rule first tests the family):
 * <ul>
 * <li>{@link Kind#HAIRPIN}: from the pod's subnet (the pod itself, or a neighbour on the same
 *     bridge, whose reply would otherwise skip the node): set the masquerade mark (the
 *     reference's {@code -s POD/PREFIX -j CNI-HOSTPORT-SETMARK});
 * <li>{@link Kind#LOCALHOST}: from 127.0.0.1 (IPv4 only): mark too, masqueraded to the bridge
 *     address after route_localnet let it leave lo;
 * <li>{@link Kind#DNAT}: {@code [ip daddr HOSTIP] PROTO dport HOSTPORT dnat to POD:PORT}.
 * </ul>
 */
record HostPortRule(Kind kind, HostPort port, Cidr pod, int mark) implements NftMessages.RuleBody {
    enum Kind { HAIRPIN, LOCALHOST, DNAT }

    static final byte[] LOCALHOST_V4 = {127, 0, 0, 1};

    @Override
    public void write(Expressions e) {
        InetAddress podIp = pod.address();
        boolean v4 = pod.isIpv4();
        int addrLen = v4 ? 4 : 16;
        e.metaNfproto().cmp(NFT_CMP_EQ, new byte[] {(byte) (v4 ? NFPROTO_IPV4 : NFPROTO_IPV6)});
        if (kind == Kind.HAIRPIN) {
            e.prefix(v4 ? 12 : 8, pod.network(), NFT_CMP_EQ);
        } else if (kind == Kind.LOCALHOST) {
            e.payload(12, 4).cmp(NFT_CMP_EQ, LOCALHOST_V4);
        }
        if (port.hostIp() != null) {
            e.payload(v4 ? 16 : 24, addrLen).cmp(NFT_CMP_EQ, port.hostIp().getAddress());
        }
        e.metaL4proto().cmp(NFT_CMP_EQ, new byte[] {(byte) port.l4proto()});
        e.transportPayload(2, 2).cmp(NFT_CMP_EQ, be16(port.hostPort()));
        if (kind == Kind.DNAT) {
            e.immediate(NFT_REG_1, podIp.getAddress())
                    .immediate(NFT_REG_2, be16(port.containerPort()))
                    .dnat(v4 ? NFPROTO_IPV4 : NFPROTO_IPV6);
        } else {
            // meta mark set mark | MARK
            e.metaMark().bitwise(host32(~mark), host32(mark)).setMetaMark();
        }
    }

    static byte[] be16(int v) {
        return new byte[] {(byte) (v >> 8), (byte) v};
    }

    /** A 32-bit value as registers hold meta data: host byte order. */
    static byte[] host32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }
}
