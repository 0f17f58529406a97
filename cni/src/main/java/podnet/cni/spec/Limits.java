package podnet.cni.spec;

import java.util.Map;

/**
 * How much one plugin call may bring: stdin and environment are bounded on every path (the
 * shim, podnetd, the one-shot JVM), checked before anything is allocated for them, so that a
 * 10 MB config gets a clear code-6 error instead of costing the daemon its heap.
 */
public final class Limits {
    private Limits() {}

    /** Bytes of stdin (the network configuration); the reference plugins' configs are a few KiB. */
    public static final int MAX_STDIN = 1 << 20;
    /** Bytes of environment, all {@code KEY=VALUE} strings together, and how many there may be. */
    public static final int MAX_ENV_BYTES = 1 << 20, MAX_ENV_VARS = 4096;

    public static void checkStdin(long bytes) {
        if (bytes > MAX_STDIN) {
            throw CniError.decode("stdin is too large: more than " + MAX_STDIN + " bytes");
        }
    }

    public static void checkEnv(Map<String, String> env) {
        if (env.size() > MAX_ENV_VARS) {
            throw tooMuchEnv(env.size() + " variables (the limit is " + MAX_ENV_VARS + ")");
        }
        long bytes = 0;
        for (Map.Entry<String, String> e : env.entrySet()) {
            bytes += e.getKey().length() + 1 + e.getValue().length();
        }
        if (bytes > MAX_ENV_BYTES) {
            throw tooMuchEnv(bytes + " bytes (the limit is " + MAX_ENV_BYTES + ")");
        }
    }

    public static CniError tooMuchEnv(String what) {
        return CniError.decode("the environment is too large: " + what);
    }
}
