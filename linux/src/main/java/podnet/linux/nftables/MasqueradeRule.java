package podnet.linux.nftables;

import static podnet.linux.nftables.NfTables.*;

import podnet.linux.inet.Cidr;
import podnet.linux.netlink.nl.NlRequest;

/**
 * One network's masquerade rule for one subnet: traffic from an address in the network's set,
 * inside the subnet, to a destination outside the subnet that is not multicast, leaves with
 * the node's address. That is the reference plugin's per-address rule
 * ({@code ip saddr POD ip daddr != SUBNET masquerade}, multicast exempt), with the pod
 * addresses in a set so ADD and DEL touch one element. The source-in-subnet test keeps the
 * semantics when one network has several subnets of a family (one set, one rule per subnet).
 *
 * <p>The rule is found again by its comment, {@code podnet SET SUBNET}.
 *
 * <p>A rule without a set ({@link #networkWide}) is flannel's {@code --ip-masq}: anything from
 * the cluster's whole network to outside it, so pod-to-pod traffic across nodes keeps its
 * source; its comment is {@code podnet-network SUBNET}.
 */
record MasqueradeRule(String set, Cidr subnet) {
    static final String COMMENT_PREFIX = "podnet ";
    static final String NETWORK_WIDE_PREFIX = "podnet-network ";
    private static final Cidr MULTICAST_V4 = Cidr.parse("224.0.0.0/4");
    private static final Cidr MULTICAST_V6 = Cidr.parse("ff00::/8");

    MasqueradeRule {
        subnet = subnet.network();
        if (subnet.prefixLength() == 0) {
            throw new IllegalArgumentException("masquerade subnet " + subnet + " has no network part");
        }
    }

    static MasqueradeRule networkWide(Cidr network) {
        return new MasqueradeRule(null, network);
    }

    boolean ipv6() {
        return !subnet.isIpv4();
    }

    String comment() {
        return set == null ? NETWORK_WIDE_PREFIX + subnet : COMMENT_PREFIX + set + " " + subnet;
    }

    /** The set a rule's comment names, or null when the comment is not one of ours. */
    static String setOf(String comment) {
        if (comment == null || !comment.startsWith(COMMENT_PREFIX)) {
            return null;
        }
        String[] parts = comment.substring(COMMENT_PREFIX.length()).split(" ");
        return parts.length == 2 ? parts[0] : null;
    }

    /** Writes the rule's expressions as attribute {@code attrType} of {@code r}. */
    void writeExpressions(NlRequest r, int attrType, int setId) {
        boolean v6 = ipv6();
        int saddr = v6 ? 8 : 12;
        int daddr = v6 ? 24 : 16;
        int len = v6 ? 16 : 4;
        Expressions e = new Expressions(r, attrType)
                .metaNfproto()
                .cmp(NFT_CMP_EQ, new byte[] {(byte) (v6 ? NFPROTO_IPV6 : NFPROTO_IPV4)});
        if (set != null) {
            e.payload(saddr, len).lookup(set, setId);
        }
        e.prefix(saddr, subnet, NFT_CMP_EQ)
                .prefix(daddr, subnet, NFT_CMP_NEQ)
                .prefix(daddr, v6 ? MULTICAST_V6 : MULTICAST_V4, NFT_CMP_NEQ)
                .masquerade()
                .end();
    }
}
