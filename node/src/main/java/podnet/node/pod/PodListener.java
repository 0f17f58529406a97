package podnet.node.pod;

/**
 * Told about a pod's network life (e.g. the node's NetworkPolicy enforcement): {@link #attached}
 * right after the CNI ADD gave it an address and before any container starts, so what the
 * listener sets up covers the pod's first packet; {@link #detaching} before its CNI DEL.
 */
public interface PodListener {
    PodListener NONE = new PodListener() {
        @Override
        public void attached(PodRecord pod) {}

        @Override
        public void detaching(PodRecord pod) {}
    };

    void attached(PodRecord pod);

    void detaching(PodRecord pod);
}
