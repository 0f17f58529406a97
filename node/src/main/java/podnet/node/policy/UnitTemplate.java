package podnet.node.policy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import podnet.linux.nftables.AddressRange;
import podnet.linux.nftables.FilterChain;
import podnet.linux.nftables.FilterRule;
import podnet.linux.nftables.FilterSet;
import podnet.linux.nftables.SetKey;
import podnet.node.policy.RulesetCompiler.Unit;

/**
 * One policy's unit before any pod: its id, chains and base-chain jumps, and its sets as rules
 * for who belongs. It depends on the policy alone, so it is made once per policy and filled
 * with the pods of each view.
 */
public record UnitTemplate(String id, NetworkPolicy policy, List<SetTemplate> sets, List<FilterChain> chains,
        FilterRule egressJump, FilterRule ingressJump) {

    /**
     * A set of the unit: an ipBlock set has its ranges; a pod set has {@code key}, a pod's
     * element in it (null: the pod is not in it), asked with the view for namespace labels.
     */
    record SetTemplate(String name, FilterSet.Kind kind, List<AddressRange> ranges, BiFunction<PolicyView, PolicyPod, SetKey> key) {
        FilterSet fill(PolicyView view) {
            if (kind == FilterSet.Kind.ADDRESS_RANGES) {
                return FilterSet.ranges(name, ranges);
            }
            Set<SetKey> keys = new LinkedHashSet<>();
            for (PolicyPod pod : view.pods()) {
                SetKey k = key.apply(view, pod);
                if (k != null) {
                    keys.add(k);
                }
            }
            return new FilterSet(name, kind, keys, List.of());
        }
    }

    List<String> setNames() {
        return sets.stream().map(SetTemplate::name).toList();
    }

    List<String> chainNames() {
        return chains.stream().map(FilterChain::name).toList();
    }

    /** The unit with the view's pods in its sets; its first set is the pods the policy selects. */
    Unit fill(PolicyView view) {
        List<FilterSet> filled = new ArrayList<>(sets.size());
        for (SetTemplate s : sets) {
            filled.add(s.fill(view));
        }
        return new Unit(id, policy, filled, chains, egressJump, ingressJump);
    }
}
