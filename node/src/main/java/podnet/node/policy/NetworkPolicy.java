package podnet.node.policy;

import java.util.List;
import java.util.Map;

/**
 * A {@code networking.k8s.io/v1} NetworkPolicy: which pods of its namespace it selects, for which
 * directions (policyTypes, defaulted as the API server does) and what it allows. {@code manifest}
 * is the validated document as given, kept for storage and {@code policy list -j}.
 */
public record NetworkPolicy(String namespace, String name, LabelSelector podSelector, boolean ingress,
        boolean egress, List<PolicyRule> ingressRules, List<PolicyRule> egressRules, Map<String, Object> manifest) {

    public NetworkPolicy {
        ingressRules = List.copyOf(ingressRules);
        egressRules = List.copyOf(egressRules);
    }

    /** {@code NS/NAME}. */
    public String key() {
        return namespace + "/" + name;
    }

    public String typesText() {
        return ingress && egress ? "Ingress,Egress" : ingress ? "Ingress" : egress ? "Egress" : "";
    }
}
