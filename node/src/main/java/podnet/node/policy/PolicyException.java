package podnet.node.policy;

/** A policy command that cannot be done: what went wrong, and a hint what to do about it. */
public final class PolicyException extends RuntimeException {
    private final String hint;

    public PolicyException(String message, String hint) {
        super(message);
        this.hint = hint;
    }

    public String hint() {
        return hint;
    }
}
