package podnet.node.policy;

import java.util.List;
import java.util.Map;

/** One {@code matchExpressions} entry of a label selector. */
public record Requirement(String key, Operator operator, List<String> values) {
    public enum Operator { In, NotIn, Exists, DoesNotExist }

    public Requirement {
        values = List.copyOf(values);
    }

    public boolean matches(Map<String, String> labels) {
        String v = labels.get(key);
        return switch (operator) {
            case In -> v != null && values.contains(v);
            case NotIn -> v == null || !values.contains(v);
            case Exists -> v != null;
            case DoesNotExist -> v == null;
        };
    }

    @Override
    public String toString() {
        return switch (operator) {
            case In -> key + " in (" + String.join(",", values) + ")";
            case NotIn -> key + " notin (" + String.join(",", values) + ")";
            case Exists -> key;
            case DoesNotExist -> "!" + key;
        };
    }
}
