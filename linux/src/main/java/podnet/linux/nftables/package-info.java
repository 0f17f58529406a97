/**
 * Pod masquerade and MAC spoof checks in nf_tables over NFNETLINK, without nft(8). The ruleset it keeps, as
 * {@code nft list ruleset} prints it:
 *
 * <pre>
 * table inet podnet {
 *     set pn4-mynet { type ipv4_addr; elements = { 10.244.2.5, ... } }
 *     set pn6-mynet { type ipv6_addr; ... }
 *     chain postrouting {
 *         type nat hook postrouting priority srcnat; policy accept;
 *         ip saddr @pn4-mynet ip saddr 10.244.2.0/24 ip daddr != 10.244.2.0/24
 *             ip daddr != 224.0.0.0/4 masquerade comment "podnet pn4-mynet 10.244.2.0/24"
 *         ip6 saddr @pn6-mynet ip6 saddr fd00::/64 ip6 daddr != fd00::/64
 *             ip6 daddr != ff00::/8 masquerade comment "podnet pn6-mynet fd00::/64"
 *     }
 * }
 * </pre>
 *
 * and, for macspoofchk, one rule per pod port in a bridge-family table:
 *
 * <pre>
 * table bridge podnet {
 *     chain prerouting {
 *         type filter hook prerouting priority -300; policy accept;
 *         iifname "veth1a2b3c4d" ether saddr != 0a:58:0a:f4:02:05 drop comment "podnet-spoofchk ID eth0"
 *     }
 * }
 * </pre>
 *
 * {@link podnet.linux.nftables.Masquerade} and {@link podnet.linux.nftables.MacSpoofCheck} are
 * the API; the rest is the codec (messages and expressions written attribute for attribute as
 * nft 1.0.6 writes them) and the batch, shared by both.
 */
package podnet.linux.nftables;
