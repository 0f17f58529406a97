package podnet.node.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A Kubernetes label selector: all of matchLabels and all of matchExpressions; empty selects everything. */
public record LabelSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {
    public static final LabelSelector EVERYTHING = new LabelSelector(Map.of(), List.of());

    public LabelSelector {
        matchLabels = Map.copyOf(matchLabels);
        matchExpressions = List.copyOf(matchExpressions);
    }

    public boolean matches(Map<String, String> labels) {
        for (var e : matchLabels.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        for (Requirement r : matchExpressions) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    public boolean isEmpty() {
        return matchLabels.isEmpty() && matchExpressions.isEmpty();
    }

    /** As kubectl describes one: {@code pod=a,tier in (web)}; {@code <all>} when empty. */
    @Override
    public String toString() {
        if (isEmpty()) {
            return "<all>";
        }
        List<String> parts = new ArrayList<>();
        new TreeMap<>(matchLabels).forEach((k, v) -> parts.add(k + "=" + v));
        matchExpressions.forEach(r -> parts.add(r.toString()));
        return String.join(",", parts);
    }
}
