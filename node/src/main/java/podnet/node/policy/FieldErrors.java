package podnet.node.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The problems found in one object, each named by its field path as the API server's validation
 * names them ({@code spec.ingress[0].ports[1].protocol: Unsupported value: "ICMP": ...}).
 */
final class FieldErrors {
    private final List<String> errors = new ArrayList<>();

    void required(String path, String detail) {
        errors.add(path + ": Required value" + (detail == null ? "" : ": " + detail));
    }

    void invalid(String path, Object value, String detail) {
        errors.add(path + ": Invalid value: " + quote(value) + ": " + detail);
    }

    void unsupported(String path, Object value, String detail) {
        errors.add(path + ": Unsupported value: " + quote(value) + ": " + detail);
    }

    void forbidden(String path, String detail) {
        errors.add(path + ": Forbidden: " + detail);
    }

    /** Fields not in {@code known}: kubectl's strict validation refuses them, so do we (a typo would silently open traffic). */
    void unknownFields(String path, Map<String, Object> m, Set<String> known) {
        for (String k : m.keySet()) {
            if (!known.contains(k)) {
                errors.add((path.isEmpty() ? "" : path + ": ") + "unknown field \"" + k + "\"");
            }
        }
    }

    /** The value as a mapping, or null after recording why not. */
    @SuppressWarnings("unchecked")
    Map<String, Object> map(String path, Object o) {
        if (o instanceof Map<?, ?> m) {
            for (Object k : m.keySet()) {
                if (!(k instanceof String)) {
                    invalid(path, k, "keys must be strings");
                    return null;
                }
            }
            return (Map<String, Object>) m;
        }
        invalid(path, o, "must be a mapping");
        return null;
    }

    /** The value as a list, or null after recording why not. */
    List<?> list(String path, Object o) {
        if (o instanceof List<?> l) {
            return l;
        }
        invalid(path, o, "must be a list");
        return null;
    }

    String string(String path, Object o) {
        if (o instanceof String s) {
            return s;
        }
        invalid(path, o, "must be a string");
        return null;
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    List<String> all() {
        return List.copyOf(errors);
    }

    private static String quote(Object v) {
        return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
    }
}
