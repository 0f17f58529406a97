package podnet.cli;

/** A user-facing failure: what went wrong, and what to do about it (printed on stderr). */
public final class CliException extends RuntimeException {
    private final String hint;

    public CliException(String message, String hint) {
        super(message);
        this.hint = hint;
    }

    public CliException(String message) {
        this(message, null);
    }

    public String hint() {
        return hint;
    }
}
