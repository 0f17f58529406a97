package podnet.cni.spec;

import java.util.List;

/** The CNI versions we speak, and choosing one. */
public final class Versions {
    private Versions() {}

    public static final String LATEST = "1.1.0";
    public static final List<String> SUPPORTED = List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");

    public static boolean supported(String v) {
        return v != null && SUPPORTED.contains(v);
    }

    public static void require(String v) {
        if (!supported(v)) {
            throw new CniError(CniError.INCOMPATIBLE_VERSION, "incompatible CNI version "
                    + (v == null || v.isEmpty() ? "(cniVersion missing)" : "\"" + v + "\"")
                    + ": this plugin supports " + String.join(", ", SUPPORTED));
        }
    }

    /** Semver-ish comparison of "a.b.c" strings; unparsable parts count as 0. */
    public static int compare(String a, String b) {
        String[] x = a.split("\\."), y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int c = Integer.compare(num(x, i), num(y, i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    public static boolean atLeast(String v, String min) {
        return compare(v, min) >= 0;
    }

    private static int num(String[] parts, int i) {
        if (i >= parts.length) {
            return 0;
        }
        try {
            return Integer.parseInt(parts[i]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The version to use for a config: its {@code cniVersion}, or, when only the 1.1
     * {@code cniVersions} array is given, the highest of those that we support.
     */
    public static String choose(String cniVersion, List<String> cniVersions) {
        if (cniVersions != null && !cniVersions.isEmpty()) {
            String best = null;
            for (String v : cniVersions) {
                if (supported(v) && (best == null || compare(v, best) > 0)) {
                    best = v;
                }
            }
            if (best != null) {
                return best;
            }
            if (cniVersion == null) {
                throw new CniError(CniError.INCOMPATIBLE_VERSION, "none of cniVersions " + cniVersions
                        + " is supported: this plugin supports " + String.join(", ", SUPPORTED));
            }
        }
        require(cniVersion);
        return cniVersion;
    }
}
