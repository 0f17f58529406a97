package podnet.node.policy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The test's own reading of networking.k8s.io/v1 NetworkPolicy, straight from the manifests'
 * maps (not the product's model, compiler or evaluator): whether src may reach dst on a port.
 */
@SuppressWarnings("unchecked")
final class ReferenceNetpol {
    private final List<Map<String, Object>> policies = new ArrayList<>();

    void apply(String yaml) {
        for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(yaml)) {
            Map<String, Object> p = (Map<String, Object>) doc;
            Map<String, Object> md = (Map<String, Object>) p.get("metadata");
            policies.removeIf(q -> meta(q, "name").equals(md.get("name")) && meta(q, "namespace").equals(md.get("namespace")));
            policies.add(p);
        }
    }

    void delete(String ns, String name) {
        policies.removeIf(q -> meta(q, "name").equals(name) && meta(q, "namespace").equals(ns));
    }

    void clear() {
        policies.clear();
    }

    private static Object meta(Map<String, Object> p, String key) {
        return ((Map<String, Object>) p.get("metadata")).get(key);
    }

    boolean allowed(NetpolPods.Pod src, NetpolPods.Pod dst, int proto, int port, Map<String, Map<String, String>> nsLabels) {
        if (src == dst) {
            return true; // never leaves the pod
        }
        return side(src, dst, proto, port, nsLabels, true) && side(dst, src, proto, port, nsLabels, false);
    }

    /** Egress of {@code self} towards {@code peer}, or ingress of {@code self} from {@code peer}. */
    private boolean side(NetpolPods.Pod self, NetpolPods.Pod peer, int proto, int port,
            Map<String, Map<String, String>> nsLabels, boolean egress) {
        boolean isolated = false;
        for (Map<String, Object> p : policies) {
            Map<String, Object> spec = (Map<String, Object>) p.get("spec");
            if (!meta(p, "namespace").equals(self.namespace) || !selector(spec.get("podSelector"), self.labels)) {
                continue;
            }
            List<String> types = (List<String>) spec.get("policyTypes");
            if (types == null || types.isEmpty()) {
                List<?> eg = (List<?>) spec.get("egress");
                types = eg != null && !eg.isEmpty() ? List.of("Ingress", "Egress") : List.of("Ingress");
            }
            if (!types.contains(egress ? "Egress" : "Ingress")) {
                continue;
            }
            isolated = true;
            List<Map<String, Object>> rules = (List<Map<String, Object>>) spec.get(egress ? "egress" : "ingress");
            for (Map<String, Object> rule : rules == null ? List.<Map<String, Object>>of() : rules) {
                Map<String, Object> r = rule == null ? Map.of() : rule;
                List<Map<String, Object>> peers = (List<Map<String, Object>>) r.get(egress ? "to" : "from");
                boolean peerOk = peers == null || peers.isEmpty();
                for (Map<String, Object> pe : peers == null ? List.<Map<String, Object>>of() : peers) {
                    peerOk |= peer(pe, (String) meta(p, "namespace"), peer, nsLabels);
                }
                List<Map<String, Object>> ports = (List<Map<String, Object>>) r.get("ports");
                boolean portOk = ports == null || ports.isEmpty();
                for (Map<String, Object> q : ports == null ? List.<Map<String, Object>>of() : ports) {
                    portOk |= port(q, proto, port, egress ? peer : self);
                }
                if (peerOk && portOk) {
                    return true;
                }
            }
        }
        return !isolated;
    }

    private static boolean peer(Map<String, Object> pe, String policyNs, NetpolPods.Pod pod,
            Map<String, Map<String, String>> nsLabels) {
        if (pe.get("ipBlock") != null) {
            Map<String, Object> b = (Map<String, Object>) pe.get("ipBlock");
            if (!inCidr(pod.ip, (String) b.get("cidr"))) {
                return false;
            }
            for (Object ex : b.get("except") == null ? List.of() : (List<?>) b.get("except")) {
                if (inCidr(pod.ip, (String) ex)) {
                    return false;
                }
            }
            return true;
        }
        boolean hasPods = pe.containsKey("podSelector"), hasNs = pe.containsKey("namespaceSelector");
        boolean nsOk = hasNs ? selector(pe.get("namespaceSelector"), nsLabels.get(pod.namespace)) : pod.namespace.equals(policyNs);
        boolean podOk = !hasPods || selector(pe.get("podSelector"), pod.labels);
        return nsOk && podOk;
    }

    private static boolean port(Map<String, Object> q, int proto, int port, NetpolPods.Pod dst) {
        String protocol = q.get("protocol") == null ? "TCP" : (String) q.get("protocol");
        if ((protocol.equals("TCP") ? NetpolPods.TCP : NetpolPods.UDP) != proto) {
            return false;
        }
        Object p = q.get("port");
        if (p == null) {
            return true;
        }
        if (p instanceof String name) {
            // serve-80-tcp style names, as the fixture declares them
            return name.equals("serve-" + port + "-" + protocol.toLowerCase());
        }
        int from = (Integer) p, to = q.get("endPort") == null ? from : (Integer) q.get("endPort");
        return port >= from && port <= to;
    }

    private static boolean selector(Object sel, Map<String, String> labels) {
        if (sel == null) {
            return true;
        }
        Map<String, Object> s = (Map<String, Object>) sel;
        Map<String, String> ml = (Map<String, String>) s.get("matchLabels");
        if (ml != null) {
            for (var e : ml.entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) {
                    return false;
                }
            }
        }
        List<Map<String, Object>> exprs = (List<Map<String, Object>>) s.get("matchExpressions");
        for (Map<String, Object> ex : exprs == null ? List.<Map<String, Object>>of() : exprs) {
            String v = labels.get((String) ex.get("key"));
            List<String> values = (List<String>) ex.getOrDefault("values", List.of());
            boolean ok = switch ((String) ex.get("operator")) {
                case "In" -> v != null && values.contains(v);
                case "NotIn" -> v == null || !values.contains(v);
                case "Exists" -> v != null;
                case "DoesNotExist" -> v == null;
                default -> throw new IllegalArgumentException("operator " + ex.get("operator"));
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean inCidr(InetAddress a, String cidr) {
        String[] parts = cidr.split("/");
        long net = number(parts[0]), bits = Long.parseLong(parts[1]);
        long mask = bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
        return (number(a.getHostAddress()) & mask) == (net & mask);
    }

    private static long number(String dotted) {
        long n = 0;
        for (String o : dotted.split("\\.")) {
            n = (n << 8) | Long.parseLong(o);
        }
        return n;
    }
}
