package podnet.cni.spec;

/** Plugin logging: stderr only, so stdout stays pure CNI JSON. */
public final class Log {
    private Log() {}

    public static void warn(String msg) {
        System.err.println("podnet-cni: warning: " + msg);
    }

    public static void error(String msg, Throwable t) {
        System.err.println("podnet-cni: error: " + msg);
        if (t != null && Boolean.getBoolean("podnet.cni.debug")) {
            t.printStackTrace(System.err);
        }
    }
}
