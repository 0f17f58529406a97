package podnet.linux.nftables;

import java.util.List;

/**
 * A chain of a {@link FilterRuleset}: a base chain on the forward hook (type filter, policy
 * accept) when {@code forwardPriority} is set, else a regular chain reached by jumps.
 */
public record FilterChain(String name, Integer forwardPriority, List<FilterRule> rules) {
    public FilterChain {
        FilterRuleset.checkName(name);
        rules = List.copyOf(rules);
    }

    public static FilterChain forward(String name, int priority, List<FilterRule> rules) {
        return new FilterChain(name, priority, rules);
    }

    public static FilterChain regular(String name, List<FilterRule> rules) {
        return new FilterChain(name, null, rules);
    }
}
