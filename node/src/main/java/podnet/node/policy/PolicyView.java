package podnet.node.policy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Everything policy decisions depend on, at one moment: the policies (sorted by namespace and
 * name), the namespaces' labels and the pods with an address. Answers the selection questions
 * of the v1 semantics; both the ruleset compiler and the evaluator ask it.
 */
public record PolicyView(List<NetworkPolicy> policies, Map<String, Map<String, String>> namespaces, List<PolicyPod> pods) {
    public PolicyView {
        List<NetworkPolicy> sorted = new ArrayList<>(policies);
        sorted.sort(Comparator.comparing(NetworkPolicy::namespace).thenComparing(NetworkPolicy::name));
        policies = List.copyOf(sorted);
        namespaces = Map.copyOf(namespaces);
        pods = pods.stream().filter(p -> p.ip() != null).toList();
    }

    public PolicyView withPods(List<PolicyPod> only) {
        return new PolicyView(policies, namespaces, only);
    }

    public PolicyView withPolicies(List<NetworkPolicy> now) {
        return new PolicyView(now, namespaces, pods);
    }

    public PolicyPod podAt(InetAddress ip) {
        for (PolicyPod p : pods) {
            if (p.ip().equals(ip)) {
                return p;
            }
        }
        return null;
    }

    /** A pod's namespace labels; a namespace without a record (a pod's, before it was recorded) has only its name label. */
    public Map<String, String> namespaceLabels(String ns) {
        Map<String, String> l = namespaces.get(ns);
        return l != null ? l : Map.of("kubernetes.io/metadata.name", ns);
    }

    public static boolean selects(NetworkPolicy p, PolicyPod pod) {
        return pod.namespace().equals(p.namespace()) && p.podSelector().matches(pod.labels());
    }

    /** Whether this node enforces {@code p} for {@code pod}: it selects the pod and the pod runs here. */
    public static boolean isolatesHere(NetworkPolicy p, PolicyPod pod) {
        return !pod.remote() && selects(p, pod);
    }

    /** Whether a peer of policy {@code p} matches {@code pod} (null: an address that is not a pod of this node). */
    public boolean peerMatches(NetworkPolicy p, PolicyPeer peer, PolicyPod pod, InetAddress ip) {
        if (peer.ipBlock() != null) {
            return peer.ipBlock().contains(ip);
        }
        if (pod == null) {
            return false;
        }
        if (peer.namespaceSelector() == null) {
            return pod.namespace().equals(p.namespace()) && peer.podSelector().matches(pod.labels());
        }
        return peer.namespaceSelector().matches(namespaceLabels(pod.namespace()))
                && (peer.podSelector() == null || peer.podSelector().matches(pod.labels()));
    }

    /** Whether a port entry allows protocol/port towards {@code dst} (a named port is the destination pod's). */
    public static boolean portMatches(PolicyPort q, int protocol, int port, PolicyPod dst) {
        if (q.protocolNumber() != protocol) {
            return false;
        }
        if (q.portName() != null) {
            return dst != null && dst.port(q.portName(), q.protocol()) == port;
        }
        return q.port() == null || (port >= q.port() && port <= q.lastPort());
    }
}
