package podnet.node.policy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides a flow by the v1 semantics directly (no kernel): a side is isolated for a direction
 * when any policy of that type selects it, and then needs a rule of one of those policies that
 * matches the peer and the port. Traffic within a pod never reaches the node, so it is allowed.
 * Used by {@code policy explain} and to find the connections a change forbids.
 */
public final class PolicyEvaluator {
    private final PolicyView view;

    public PolicyEvaluator(PolicyView view) {
        this.view = view;
    }

    public PolicyDecision decide(InetAddress srcIp, InetAddress dstIp, int protocol, int port) {
        PolicyPod src = view.podAt(srcIp), dst = view.podAt(dstIp);
        List<String> egSel = new ArrayList<>(), egAllow = new ArrayList<>(), inSel = new ArrayList<>(), inAllow = new ArrayList<>();
        boolean self = src != null && src == dst;
        for (NetworkPolicy p : view.policies()) {
            if (self) {
                break;
            }
            if (p.egress() && src != null && PolicyView.selects(p, src)) {
                egSel.add(p.key());
                allowing(p, p.egressRules(), "egress", dst, dstIp, protocol, port, dst, egAllow);
            }
            if (p.ingress() && dst != null && PolicyView.selects(p, dst)) {
                inSel.add(p.key());
                allowing(p, p.ingressRules(), "ingress", src, srcIp, protocol, port, dst, inAllow);
            }
        }
        return new PolicyDecision(srcIp, src, dstIp, dst, protocol, port, egSel, egAllow, inSel, inAllow);
    }

    private void allowing(NetworkPolicy p, List<PolicyRule> rules, String dir, PolicyPod peer, InetAddress peerIp,
            int protocol, int port, PolicyPod dst, List<String> out) {
        for (int i = 0; i < rules.size(); i++) {
            PolicyRule r = rules.get(i);
            boolean peerOk = r.peers().isEmpty();
            for (PolicyPeer pe : r.peers()) {
                peerOk |= view.peerMatches(p, pe, peer, peerIp);
            }
            boolean portOk = r.ports().isEmpty();
            for (PolicyPort q : r.ports()) {
                portOk |= PolicyView.portMatches(q, protocol, port, dst);
            }
            if (peerOk && portOk) {
                out.add(p.key() + " " + dir + "[" + i + "]");
            }
        }
    }
}
