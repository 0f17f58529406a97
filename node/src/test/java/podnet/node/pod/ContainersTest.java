package podnet.node.pod;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.ns.NamespaceTable;
import podnet.linux.sys.Signals;
import podnet.linux.testing.Root;

/** Container processes in a sandbox: where they live, how they end, how they are stopped. */
class ContainersTest {
    @TempDir
    Path dir;
    PodSandbox sandbox;

    @BeforeEach
    void setUp() {
        Root.assume();
        sandbox = PodSandbox.create("ct-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff)), dir);
    }

    @AfterEach
    void tearDown() {
        if (sandbox != null) {
            sandbox.destroy();
            assertThat(sandbox.exists()).isFalse();
        }
    }

    @Test
    void startsInThePodsNamespacesAndRecordsTheExitCode() throws Exception {
        ContainerRecord c = Containers.start(sandbox, dir, new ContainerSpec("c", List.of("sh", "-c", "hostname; exit 7")));
        for (int i = 0; i < 250 && Containers.exitCode(dir, c).isEmpty(); i++) {
            Thread.sleep(20);
        }
        assertThat(Containers.exitCode(dir, c)).hasValue(7);
        assertThat(Containers.isRunning(c)).isFalse();
        assertThat(Files.readString(Containers.log(dir, "c")).strip()).isEqualTo(sandbox.pod());
    }

    @Test
    void aRunningContainerIsInsideNetUtsAndIpc() {
        ContainerRecord c = Containers.start(sandbox, dir, new ContainerSpec("c", List.of("sleep", "100")));
        try {
            assertThat(Containers.isRunning(c)).isTrue();
            for (Path ns : sandbox.nsFiles()) {
                String type = ns.getFileName().toString().equals(sandbox.netns().name()) ? "net" : ns.getFileName().toString();
                long pinned = inode(ns);
                assertThat(NamespaceTable.inode(Path.of("/proc/" + c.pid() + "/ns/" + type))).as(type).isEqualTo(pinned);
            }
        } finally {
            Containers.stop(c, 3000);
        }
    }

    @Test
    void stopRightAfterStartDoesNotWaitForTheGracePeriod() {
        ContainerRecord c = Containers.start(sandbox, dir, new ContainerSpec("c", List.of("sleep", "100")));
        long t0 = System.nanoTime();
        Containers.stop(c, 3000);
        assertThat(Containers.isRunning(c)).isFalse();
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2500);
    }

    @Test
    void aContainerThatIgnoresSigtermIsKilled() throws Exception {
        ContainerRecord c = Containers.start(sandbox, dir,
                new ContainerSpec("c", List.of("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done")));
        for (int i = 0; i < 250 && !Files.readString(Containers.log(dir, "c")).contains("ready"); i++) {
            Thread.sleep(20);
        }
        Containers.stop(c, 300);
        assertThat(Containers.isRunning(c)).isFalse();
        // The command itself, not only the wrapper shell that led its group, is gone.
        assertThat(Signals.killGroup(c.pid(), 0)).as("anything left in the group").isFalse();
    }

    private static long inode(Path p) {
        try {
            return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
