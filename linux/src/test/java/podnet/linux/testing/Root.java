package podnet.linux.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;


/** Kernel tests need root; without it they are skipped, not failed. */
public final class Root {
    private Root() {}

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    public static void assume() {
        assumeTrue(isRoot(), "needs root (network namespaces)");
    }

    /** Whether a program is on the PATH, for tests that use it as an oracle or peer. */
    public static boolean has(String program) {
        // also /usr/sbin, which a non-root PATH often lacks
        return podnet.linux.fs.SearchPath.find(program).isPresent()
                || podnet.linux.fs.SearchPath.find(program, "/usr/sbin").isPresent();
    }

    public static void assumeProgram(String program) {
        assumeTrue(has(program), program + " is not installed");
    }
}
