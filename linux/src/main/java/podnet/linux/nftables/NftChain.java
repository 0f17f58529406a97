package podnet.linux.nftables;

/**
 * A chain of the nf_tables ruleset, as {@code nft list chains} shows it. Base chains have a
 * {@code hook} (e.g. "forward") and a {@code policy} ("accept" or "drop"); regular chains have
 * neither (null).
 *
 * @param family ip, ip6, inet, arp, bridge or netdev
 */
public record NftChain(String family, String table, String name, String type, String hook, Integer priority,
        String policy) {
    public boolean isBase() {
        return hook != null;
    }

    /** Whether unmatched packets are dropped ({@code policy drop}). */
    public boolean dropsByDefault() {
        return "drop".equals(policy);
    }

    @Override
    public String toString() {
        return family + " " + table + " " + name + (hook == null ? "" : " (hook " + hook + ", policy " + policy + ")");
    }
}
