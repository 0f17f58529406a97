package podnet.cni.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.cni.PluginRunner;
import podnet.linux.testing.Root;

/**
 * The warm-up: bridge cycles in namespaces of its own, some through the daemon's socket with the
 * exec shim as the caller, yielding to real calls. Nothing of it outlives the run (its
 * namespaces are anonymous, its temp dir removed).
 */
class WarmupTest {
    static final Path SHIM = Path.of("target/podnet-shim");

    @TempDir
    Path dir;

    @Test
    void cyclesInProcess() {
        Root.assume();
        Warmup.Report r = Warmup.run(3, Duration.ofSeconds(60), System.err);
        assertThat(r.cycles()).isEqualTo(3);
        assertThat(r.throughSocket()).isZero();
    }

    @Test
    void twoCyclesGoThroughTheSocketAsAShimsCalls() {
        Root.assume();
        assumeTrue(Files.isExecutable(SHIM), "the shim was not built (no cc)");
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8);
        try (Podnetd d = Podnetd.start(dir.resolve("podnetd.sock"), PluginRunner::runExecutable, log)) {
            Warmup.Report r = Warmup.run(4, Duration.ofSeconds(60), new Warmup.Through(SHIM, d.socketPath()), d::busy, log);
            assertThat(r.cycles()).as(logged.toString(StandardCharsets.UTF_8)).isEqualTo(4);
            assertThat(r.throughSocket()).isEqualTo(Warmup.SOCKET_CYCLES);
            // VERSION, then ADD, CHECK and DEL twice (host-local's calls, delegated, come on top)
            assertThat(d.callsEnded()).isGreaterThanOrEqualTo(1 + 3 * Warmup.SOCKET_CYCLES);
            assertThat(d.realCalls()).as("the warm-up's own calls are no real ones").isZero();
        }
        assertThat(logged.toString(StandardCharsets.UTF_8)).doesNotContain("failed");
    }

    @Test
    void aSocketNobodyServesLeavesTheCyclesInProcess() {
        Root.assume();
        assumeTrue(Files.isExecutable(SHIM), "the shim was not built (no cc)");
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8);
        Warmup.Report r = Warmup.run(3, Duration.ofSeconds(60), new Warmup.Through(SHIM, dir.resolve("nobody.sock")),
                () -> false, log);
        assertThat(r.cycles()).isEqualTo(3);
        assertThat(r.throughSocket()).isZero();
        assertThat(logged.toString(StandardCharsets.UTF_8)).contains("in process only");
    }

    @Test
    void endsAtOnceWhenToldToStop() {
        Warmup.Report r = Warmup.run(40, Duration.ofSeconds(60), null, () -> false, () -> true, System.err);
        assertThat(r.cycles()).isZero();
    }

    @Test
    void yieldsToCallsInFlightWithinItsBudget() {
        long t0 = System.nanoTime();
        Warmup.Report r = Warmup.run(40, Duration.ofMillis(300), null, () -> true, System.err);
        assertThat(r.cycles()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void findsTheInstalledShimBesideTheLibraryElseTheBuildsOne() throws Exception {
        Path lib = Files.createDirectories(dir.resolve("bin/podnet-lib/0123456789abcdef"));
        Path jar = Files.createFile(lib.resolve("podnet-cni.jar"));
        assertThat(ShimExecutable.find(List.of(jar))).isEmpty();
        Path script = dir.resolve("bin/bridge");
        Files.writeString(script, "#!/bin/sh\nexec podnet-oneshot bridge\n");
        script.toFile().setExecutable(true);
        assertThat(ShimExecutable.find(List.of(jar))).as("a script is no shim").isEmpty();
        Files.write(script, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        assertThat(ShimExecutable.find(List.of(jar))).contains(script);

        Path classes = Files.createDirectories(dir.resolve("cni/target/classes"));
        Path built = dir.resolve("cni/target/podnet-shim");
        Files.write(built, new byte[] {0x7f, 'E', 'L', 'F'});
        built.toFile().setExecutable(true);
        assertThat(ShimExecutable.find(List.of(classes))).contains(built);
    }

    @Test
    void aWarmUpThatARealCallEndedResumesOnceTheNodeIsQuiet() throws Exception {
        Root.assume();
        assumeTrue(Files.isExecutable(SHIM), "the shim was not built (no cc)");
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8);
        try (Podnetd d = Podnetd.start(dir.resolve("podnetd.sock"), PluginRunner::runExecutable, log)) {
            Thread warm = Thread.ofPlatform().start(() -> PodnetdMain.warmUp(d, false, Warmup.CYCLES,
                    Duration.ofSeconds(60), Duration.ofMillis(300), log));
            Thread.sleep(200); // within its first round: 40 cycles take far longer
            Path bridge = Files.createSymbolicLink(dir.resolve("bridge"), SHIM.toAbsolutePath());
            ProcessBuilder pb = new ProcessBuilder(bridge.toString()).redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().putAll(java.util.Map.of("CNI_COMMAND", "VERSION", "PODNET_SOCKET", d.socketPath().toString(),
                    "PODNET_AUTOSTART", "0", "PODNET_SHIM_NO_FALLBACK", "1"));
            Process version = pb.start();
            version.getOutputStream().close();
            assertThat(version.waitFor()).isZero();
            assertThat(d.realCalls()).isEqualTo(1);
            warm.join(Duration.ofSeconds(60));
            assertThat(warm.isAlive()).isFalse();
        }
        assertThat(logged.toString(StandardCharsets.UTF_8))
                .contains("podnetd: warmed up in")
                .contains(Warmup.CYCLES + " ADD/CHECK/DEL cycles")
                .contains("rounds (real calls came between)")
                .doesNotContain("failed");
    }
}
