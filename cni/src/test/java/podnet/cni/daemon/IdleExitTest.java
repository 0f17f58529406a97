package podnet.cni.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.cni.CniResponse;
import podnet.linux.testing.ChildProcess;
import podnet.linux.testing.Root;

/** The idle exit waits for calls in flight, however long they take, and then comes. */
class IdleExitTest {
    @TempDir
    Path dir;

    @Test
    void neverWhileACallIsInFlight() throws Exception {
        Root.assume();
        assumeTrue(Files.isExecutable(AutoStartTest.SHIM), "the shim was not built (no cc)");
        Path bridge = Files.copy(AutoStartTest.SHIM, dir.resolve("bridge")); // no podnetd launcher beside it
        Path socket = dir.resolve("podnetd.sock");
        CountDownLatch inside = new CountDownLatch(1), release = new CountDownLatch(1);
        Podnetd d = Podnetd.start(socket, (plugin, env, stdin) -> {
            inside.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new CniResponse(0, "{}".getBytes(StandardCharsets.UTF_8));
        }, System.err, Podnetd.Settings.DEFAULT.withIdleExit(Duration.ofMillis(500)));
        try {
            ProcessBuilder pb = new ProcessBuilder(bridge.toString());
            pb.environment().putAll(java.util.Map.of("CNI_COMMAND", "ADD", "PODNET_SOCKET", socket.toString()));
            CompletableFuture<ChildProcess.Result> call = CompletableFuture.supplyAsync(
                    () -> ChildProcess.run(pb, new byte[0], Duration.ofSeconds(60)), r -> Thread.ofPlatform().start(r));
            assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(1500); // three idle periods with the call in flight
            assertThat(d.stopRequested()).as("stopped with a call in flight").isFalse();
            release.countDown();
            assertThat(call.join().exit()).isZero();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!d.stopRequested() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(d.stopRequested()).as("stopped once idle").isTrue();
        } finally {
            d.close();
        }
    }
}
