package podnet.node.cluster;

/** A failure of the node agent the user can act on: what went wrong, and a hint. */
public final class ClusterException extends RuntimeException {
    private final String hint;

    public ClusterException(String message, String hint) {
        super(message);
        this.hint = hint;
    }

    public ClusterException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    public String hint() {
        return hint;
    }
}
