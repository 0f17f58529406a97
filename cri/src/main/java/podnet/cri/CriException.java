package podnet.cri;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A call to the runtime (CRI, or containerd's own API) that failed: the gRPC status code and
 * the runtime's own message (containerd's text, passed on unchanged so the user reads what the
 * runtime said).
 */
public final class CriException extends RuntimeException {
    private final Status.Code code;
    private final String method;

    public CriException(Status.Code code, String method, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.method = method;
    }

    public static CriException of(String method, StatusRuntimeException e) {
        Status s = e.getStatus();
        String msg = s.getDescription() != null ? s.getDescription() : s.getCode().toString();
        if (s.getCause() != null && s.getDescription() == null) {
            msg = s.getCode() + ": " + s.getCause().getMessage();
        }
        return new CriException(s.getCode(), method, msg, e);
    }

    public Status.Code code() {
        return code;
    }

    /** The CRI method that failed, e.g. {@code RunPodSandbox}. */
    public String method() {
        return method;
    }

    /** Nobody answered on the socket (missing, refused, or the runtime went away). */
    public boolean unavailable() {
        return code == Status.Code.UNAVAILABLE;
    }

    public boolean notFound() {
        return code == Status.Code.NOT_FOUND;
    }
}
