package podnet.linux.nftables;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What one owner keeps in its own {@code inet} table: sets (created first, so rules can look
 * them up) and chains (regular chains before the base chains that jump to them). Written by
 * {@link FilterTable#replace} in one transaction.
 */
public record FilterRuleset(List<FilterSet> sets, List<FilterChain> chains) {
    /** nft's identifiers: a letter, then letters, digits, '_', '-', '.'; short enough for any kernel. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,62}");

    public FilterRuleset {
        sets = List.copyOf(sets);
        chains = List.copyOf(chains);
        Set<String> setNames = new HashSet<>();
        for (FilterSet s : sets) {
            if (!setNames.add(s.name())) {
                throw new IllegalArgumentException("two sets named " + s.name());
            }
        }
        Set<String> chainNames = new HashSet<>();
        for (FilterChain c : chains) {
            if (!chainNames.add(c.name())) {
                throw new IllegalArgumentException("two chains named " + c.name());
            }
            for (FilterRule r : c.rules()) {
                if (r.verdict().kind() == FilterRule.Verdict.Kind.JUMP && !chainNames.contains(r.verdict().chain())) {
                    throw new IllegalArgumentException("chain " + c.name() + " jumps to " + r.verdict().chain()
                            + ", which is not defined before it");
                }
                for (FilterRule.Match m : r.matches()) {
                    String set = m instanceof FilterRule.Match.AddressIn a ? a.set()
                            : m instanceof FilterRule.Match.DestServiceIn d ? d.set() : null;
                    if (set != null && !setNames.contains(set)) {
                        throw new IllegalArgumentException("chain " + c.name() + " looks up unknown set " + set);
                    }
                }
            }
        }
    }

    public FilterSet set(String name) {
        for (FilterSet s : sets) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not an nft identifier: " + name);
        }
    }
}
