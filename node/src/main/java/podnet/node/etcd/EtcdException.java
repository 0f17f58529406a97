package podnet.node.etcd;

/**
 * An etcd call that failed: either no endpoint could be reached ({@link #unreachable()}: the
 * caller retries later) or etcd answered with an error (its gRPC code and message).
 */
public final class EtcdException extends RuntimeException {
    private final boolean unreachable;
    private final int code;

    private EtcdException(String message, boolean unreachable, int code, Throwable cause) {
        super(message, cause);
        this.unreachable = unreachable;
        this.code = code;
    }

    static EtcdException unreachable(String message, Throwable cause) {
        return new EtcdException(message, true, -1, cause);
    }

    static EtcdException refused(String message, int code) {
        return new EtcdException(message, false, code, null);
    }

    public boolean unreachable() {
        return unreachable;
    }

    /** The gRPC status code etcd gave (5 NOT_FOUND, e.g. for a lease that expired), -1 if none. */
    public int code() {
        return code;
    }
}
