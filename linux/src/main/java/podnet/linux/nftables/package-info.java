/**
 * Pod masquerade in nf_tables over NFNETLINK, without nft(8). The ruleset it keeps, as
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
 * {@link podnet.linux.nftables.Masquerade} is the API; the rest is the codec (messages and
 * expressions written attribute for attribute as nft 1.0.6 writes them) and the batch.
 */
package podnet.linux.nftables;
