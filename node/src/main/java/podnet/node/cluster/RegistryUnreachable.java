package podnet.node.cluster;

/** The subnet registry (etcd, the API server) cannot be reached now; the caller retries later. */
public final class RegistryUnreachable extends RuntimeException {
    public RegistryUnreachable(String message, Throwable cause) {
        super(message, cause);
    }
}
