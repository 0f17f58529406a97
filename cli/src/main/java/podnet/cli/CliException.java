package podnet.cli;

/** A user-facing failure: what went wrong, and what to do about it (printed on stderr). */
public final class CliException extends RuntimeException {
    private final String hint;
    private final int exitCode;

    public CliException(String message, String hint) {
        this(message, hint, 1);
    }

    /** A failure with its own exit status, e.g. 2 for bad flags. */
    public CliException(String message, String hint, int exitCode) {
        super(message);
        this.hint = hint;
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    public CliException(String message) {
        this(message, null);
    }

    public String hint() {
        return hint;
    }
}
