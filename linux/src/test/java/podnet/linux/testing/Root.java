package podnet.linux.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

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
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", program));
    }

    public static void assumeProgram(String program) {
        assumeTrue(has(program), program + " is not installed");
    }
}
