package podnet.node.policy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether one flow (source, destination, protocol, port) is allowed, and why: the policies
 * that isolate each side for its direction and the rules that let the flow through.
 *
 * @param src the source pod, or null for an address that is not a pod of this node
 * @param egressSelecting policies of type Egress selecting the source (empty: not isolated)
 * @param egressAllowing  the rules among those that allow the flow, as {@code ns/name egress[i]}
 */
public record PolicyDecision(InetAddress srcIp, PolicyPod src, InetAddress dstIp, PolicyPod dst, int protocol, int port,
        List<String> egressSelecting, List<String> egressAllowing, List<String> ingressSelecting,
        List<String> ingressAllowing) {

    public boolean egressAllowed() {
        return egressSelecting.isEmpty() || !egressAllowing.isEmpty();
    }

    public boolean ingressAllowed() {
        return ingressSelecting.isEmpty() || !ingressAllowing.isEmpty();
    }

    public boolean allowed() {
        return egressAllowed() && ingressAllowed();
    }

    /** The reasoning, one line per side, as {@code policy explain} prints it. */
    public List<String> reasons() {
        List<String> out = new ArrayList<>();
        out.add("egress of " + side(src, srcIp) + ": " + why(egressSelecting, egressAllowing, "egress"));
        out.add("ingress of " + side(dst, dstIp) + ": " + why(ingressSelecting, ingressAllowing, "ingress"));
        return out;
    }

    private static String side(PolicyPod p, InetAddress ip) {
        return p != null ? p.key() + " (" + ip.getHostAddress() + ")" : ip.getHostAddress() + " (not a pod of this node)";
    }

    private static String why(List<String> selecting, List<String> allowing, String dir) {
        if (selecting.isEmpty()) {
            return "not isolated (no policy of type " + (dir.equals("egress") ? "Egress" : "Ingress")
                    + " selects it): allowed";
        }
        if (allowing.isEmpty()) {
            return "isolated by " + String.join(", ", selecting) + "; no rule allows this: DENIED";
        }
        return "isolated by " + String.join(", ", selecting) + "; allowed by " + String.join(", ", allowing);
    }
}
