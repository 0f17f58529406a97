package podnet.node.image;

/** An image could not be built or found: what went wrong and what to do about it. */
public final class ImageException extends RuntimeException {
    private final String hint;

    public ImageException(String message, String hint) {
        super(message);
        this.hint = hint;
    }

    public String hint() {
        return hint;
    }
}
