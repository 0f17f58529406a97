package podnet.linux.nftables;

import java.util.List;

/**
 * One rule: all matches must hold, then the verdict. A counter makes the rule's hits readable
 * ({@code nft list ruleset} shows them); the comment travels as nft's rule userdata.
 */
public record FilterRule(List<Match> matches, Verdict verdict, boolean counter, String comment) {
    public FilterRule {
        matches = List.copyOf(matches);
        if (verdict == null) {
            throw new IllegalArgumentException("a rule needs a verdict");
        }
    }

    public static FilterRule of(Verdict verdict, Match... matches) {
        return new FilterRule(List.of(matches), verdict, false, null);
    }

    public FilterRule counted(String newComment) {
        return new FilterRule(matches, verdict, true, newComment);
    }

    /** What a rule tests, each written as nft writes it for an inet table. */
    public sealed interface Match {
        /** {@code ct state established,related}. */
        record EstablishedOrRelated() implements Match {}

        /**
         * {@code ct state new meta l4proto tcp tcp flags & syn == 0}: a TCP packet without SYN
         * that conntrack has no entry for and is picking up mid-stream (nf_conntrack_tcp_loose).
         */
        record TcpMidstreamPickup() implements Match {}

        /** {@code ip saddr @SET} or {@code ip daddr @SET}, or {@code != @SET} when negated. */
        record AddressIn(boolean source, String set, boolean negated) implements Match {}

        /** {@code meta l4proto PROTO}. */
        record Protocol(int number) implements Match {}

        /** {@code th dport FROM-TO} (one port when equal); use after {@link Protocol}. */
        record DestPort(int from, int to) implements Match {
            public DestPort {
                if (from < 0 || to > 0xffff || from > to) {
                    throw new IllegalArgumentException("port range " + from + "-" + to);
                }
            }
        }

        /** {@code ip daddr . meta l4proto . th dport @SET}. */
        record DestServiceIn(String set) implements Match {}

        /**
         * {@code meta nftrace set 1}: tests nothing (always holds); marks the packet, so every
         * rule it matches from here on is reported to trace listeners ({@link NftTraceEvents}).
         */
        record Traced() implements Match {}
    }

    /** accept, drop, jump to a chain of the same table, or continue (none: the rule only counts or marks). */
    public record Verdict(Kind kind, String chain) {
        public enum Kind { ACCEPT, DROP, JUMP, CONTINUE }

        public static final Verdict ACCEPT = new Verdict(Kind.ACCEPT, null);
        public static final Verdict DROP = new Verdict(Kind.DROP, null);
        public static final Verdict CONTINUE = new Verdict(Kind.CONTINUE, null);

        public static Verdict jump(String chain) {
            return new Verdict(Kind.JUMP, chain);
        }
    }
}
