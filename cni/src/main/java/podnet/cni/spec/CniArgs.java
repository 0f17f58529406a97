package podnet.cni.spec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * CNI_ARGS: {@code K=V;K2=V2}. Like the reference, a key we do not know is an error unless
 * {@code IgnoreUnknown} is true; the Kubernetes keys are always accepted.
 */
public record CniArgs(Map<String, String> values) {
    private static final Set<String> KNOWN = Set.of("IgnoreUnknown", "IP", "MAC",
            "K8S_POD_NAME", "K8S_POD_NAMESPACE", "K8S_POD_INFRA_CONTAINER_ID", "K8S_POD_UID");

    public static final CniArgs EMPTY = new CniArgs(Map.of());

    public static CniArgs parse(String text) {
        if (text == null || text.isEmpty()) {
            return EMPTY;
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String pair : text.split(";")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw CniError.env("CNI_ARGS: invalid pair \"" + pair + "\" (expected KEY=VALUE)");
            }
            m.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        String ignore = m.getOrDefault("IgnoreUnknown", "false");
        boolean ignoreUnknown = ignore.equalsIgnoreCase("true") || ignore.equals("1");
        if (!ignoreUnknown) {
            for (String k : m.keySet()) {
                if (!KNOWN.contains(k)) {
                    throw CniError.env("CNI_ARGS: unknown key \"" + k + "\" (set IgnoreUnknown=1 to ignore it)");
                }
            }
        }
        return new CniArgs(Map.copyOf(m));
    }

    public String get(String key) {
        return values.get(key);
    }
}
