package podnet.linux.nftables;

import java.util.List;
import podnet.linux.nftables.FilterTable.ElementChange;

/**
 * A change to part of a {@link FilterTable}, applied by {@link FilterTable#edit} in one
 * transaction, in this order: the rules of {@code rewriteChains} flushed (so nothing jumps to a
 * chain being removed any more), {@code removeChains} and {@code removeSets} deleted,
 * {@code addSets} (with their elements) and {@code addChains} (with their rules) created, the
 * rewritten chains given their new rules, then the element changes. Packets see the table
 * before or after, never in between. Rules may look up sets of the table or of {@code addSets}.
 */
public record FilterEdit(List<String> removeChains, List<String> removeSets, List<FilterSet> addSets,
        List<FilterChain> addChains, List<FilterChain> rewriteChains, List<ElementChange> elements) {

    public FilterEdit {
        removeChains = List.copyOf(removeChains);
        removeSets = List.copyOf(removeSets);
        addSets = List.copyOf(addSets);
        addChains = List.copyOf(addChains);
        rewriteChains = List.copyOf(rewriteChains);
        elements = List.copyOf(elements);
    }

    public static FilterEdit elementsOnly(List<ElementChange> elements) {
        return new FilterEdit(List.of(), List.of(), List.of(), List.of(), List.of(), elements);
    }

    public boolean isEmpty() {
        return removeChains.isEmpty() && removeSets.isEmpty() && addSets.isEmpty() && addChains.isEmpty()
                && rewriteChains.isEmpty() && elements.isEmpty();
    }
}
