package podnet.node.policy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether a policy change can only allow more, so that no connection needs cutting: every
 * policy of before is still there unchanged, and every new one selects only pods that some
 * policy of before already isolates in each of the new one's directions (so it adds allowed
 * peers and ports and isolates nobody). Conservative: anything else counts as narrowing.
 */
final class Widening {
    private Widening() {}

    /** {@code before} and {@code after} have the same pods and namespaces. */
    static boolean only(PolicyView before, PolicyView after) {
        Set<NetworkPolicy> old = new HashSet<>(before.policies());
        if (!new HashSet<>(after.policies()).containsAll(old)) {
            return false;
        }
        for (NetworkPolicy p : after.policies()) {
            if (old.contains(p)) {
                continue;
            }
            for (PolicyPod pod : after.pods()) {
                if (PolicyView.selects(p, pod)
                        && (p.ingress() && !isolated(before.policies(), pod, true) || p.egress() && !isolated(before.policies(), pod, false))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean isolated(List<NetworkPolicy> policies, PolicyPod pod, boolean ingress) {
        for (NetworkPolicy q : policies) {
            if ((ingress ? q.ingress() : q.egress()) && PolicyView.selects(q, pod)) {
                return true;
            }
        }
        return false;
    }
}
