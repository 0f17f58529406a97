package podnet.engines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import podnet.linux.testing.Root;

/** What the engine tests need from the machine, and what they must leave behind: nothing. */
final class EngineAssumptions {
    private EngineAssumptions() {}

    static void assumeEngine(String... programs) {
        Root.assume();
        for (String p : programs) {
            Root.assumeProgram(p);
        }
        for (String p : new String[] {"runc", "nsenter", "unshare", "ping"}) {
            Root.assumeProgram(p);
        }
        assumeTrue(Files.isExecutable(BusyboxRootfs.BUSYBOX), "busybox-static is not installed");
    }

    /** No mount of ours is left in this mount namespace (the private ones died with their processes). */
    static void assertNothingLeft(Path work) {
        try {
            assertThat(Files.readAllLines(Path.of("/proc/self/mounts")))
                    .as("mounts under " + work).noneMatch(l -> l.contains(work.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
