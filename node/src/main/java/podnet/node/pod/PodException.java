package podnet.node.pod;

/** A pod operation that cannot be done as asked: what went wrong and what to do about it. */
public final class PodException extends RuntimeException {
    private final String hint;

    public PodException(String message, String hint) {
        super(message);
        this.hint = hint;
    }

    public PodException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint;
    }

    public String hint() {
        return hint;
    }
}
