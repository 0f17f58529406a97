package podnet.node.policy;

/**
 * One entry of {@code from}/{@code to}: pods (by podSelector in the policy's namespace, by
 * namespaceSelector in every matching namespace, or both at once: pods matching podSelector in
 * namespaces matching namespaceSelector), or an ipBlock. Null means the field is absent.
 */
public record PolicyPeer(LabelSelector podSelector, LabelSelector namespaceSelector, IpBlock ipBlock) {
    public boolean selectsPods() {
        return ipBlock == null;
    }

    @Override
    public String toString() {
        if (ipBlock != null) {
            return "ipBlock " + ipBlock;
        }
        if (namespaceSelector == null) {
            return "pods " + podSelector + " (same namespace)";
        }
        return "pods " + (podSelector == null ? "<all>" : podSelector.toString()) + " in namespaces " + namespaceSelector;
    }
}
