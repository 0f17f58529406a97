package podnet.cni.spec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A CNI error as the spec defines it: a well-known code, a message naming the bad key or
 * variable, optional details. Printed as JSON on stdout with a non-zero exit.
 */
public final class CniError extends RuntimeException {
    public static final int INCOMPATIBLE_VERSION = 1, UNSUPPORTED_FIELD = 2, UNKNOWN_CONTAINER = 3,
            INVALID_ENVIRONMENT = 4, IO_FAILURE = 5, DECODING_FAILURE = 6, INVALID_CONFIG = 7,
            TRY_AGAIN_LATER = 11, INTERNAL = 999;
    /** STATUS (spec 1.1): 50, the plugin cannot serve ADDs now; 51, existing containers may have limited connectivity. */
    public static final int NOT_AVAILABLE = 50, NOT_AVAILABLE_LIMITED = 51;

    private final int code;
    private final String details;

    public CniError(int code, String msg) {
        this(code, msg, null, null);
    }

    public CniError(int code, String msg, String details, Throwable cause) {
        super(msg, cause);
        this.code = code;
        this.details = details;
    }

    public int code() {
        return code;
    }

    public String msg() {
        return getMessage();
    }

    public String details() {
        return details;
    }

    public static CniError config(String msg) {
        return new CniError(INVALID_CONFIG, msg);
    }

    public static CniError decode(String msg) {
        return new CniError(DECODING_FAILURE, msg);
    }

    public static CniError env(String msg) {
        return new CniError(INVALID_ENVIRONMENT, msg);
    }

    /** The spec's error object; cniVersion is the version the caller asked for when known. */
    public Map<String, Object> toJson(String cniVersion) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cniVersion", cniVersion == null || cniVersion.isEmpty() ? Versions.LATEST : cniVersion);
        m.put("code", code);
        m.put("msg", getMessage() == null ? "" : getMessage());
        if (details != null && !details.isEmpty()) {
            m.put("details", details);
        }
        return m;
    }
}
