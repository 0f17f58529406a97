package podnet.node.policy;

import java.util.ArrayList;
import java.util.List;
import podnet.linux.nftables.FilterChain;
import podnet.linux.nftables.FilterRule;
import podnet.linux.nftables.FilterRule.Match;
import podnet.linux.nftables.FilterRule.Verdict;

/**
 * Where a packet no policy allows is dropped, so that the drop can be pinned on policies. In
 * NetworkPolicy nothing denies: a packet is dropped because its side is isolated for the
 * direction and no rule of the policies isolating it allows it. "The policy that dropped it" is
 * therefore every policy of that direction that selects the side (the source for egress, the
 * destination for ingress) — what {@code policy explain} lists as "isolated by".
 *
 * <pre>
 * chain pod-egress-denied                     (jumped to for ip saddr @egress-isolated)
 *     meta nftrace set 1                      the pass is reported to trace listeners
 *     ip saddr @ID-pods counter comment "ns/name"    one per Egress policy: counts, no verdict
 *     counter drop comment "podnet-policy egress isolated: no policy allows"
 * chain pod-ingress-denied                    the same with ip daddr, per Ingress policy
 * </pre>
 * Only packets being dropped come here (an allowed one was accepted before), so the per-policy
 * rules cost nothing on the allowed path; while nobody listens, the kernel sends no events.
 */
public final class DeniedChains {
    public static final String EGRESS = "pod-egress-denied", INGRESS = "pod-ingress-denied";

    private DeniedChains() {}

    /** The chain of one direction, with a counting rule per policy of that type in {@code templates}. */
    static FilterChain of(boolean egress, List<UnitTemplate> templates) {
        List<FilterRule> rules = new ArrayList<>();
        rules.add(FilterRule.of(Verdict.CONTINUE, new Match.Traced()));
        for (UnitTemplate t : templates) {
            if (egress ? t.policy().egress() : t.policy().ingress()) {
                rules.add(new FilterRule(List.of(new Match.AddressIn(egress, t.id() + "-pods", false)), Verdict.CONTINUE,
                        true, t.policy().key()));
            }
        }
        rules.add(new FilterRule(List.of(), Verdict.DROP, true,
                "podnet-policy " + direction(egress) + " isolated: no policy allows"));
        return FilterChain.regular(egress ? EGRESS : INGRESS, rules);
    }

    /** The direction a denied chain stands for, or null for any other chain. */
    public static String directionOf(String chain) {
        return EGRESS.equals(chain) ? "egress" : INGRESS.equals(chain) ? "ingress" : null;
    }

    static String direction(boolean egress) {
        return egress ? "egress" : "ingress";
    }
}
