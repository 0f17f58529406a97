package podnet.cni.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.cni.install.AutoStart;
import podnet.cni.install.Installer;
import podnet.cni.install.NodeConflist;
import podnet.linux.testing.ChildProcess;
import podnet.linux.testing.Root;

/**
 * The installed shims start podnetd when none listens: one daemon for racing first calls,
 * detached from its caller, gone again after its idle period; the opt-out keeps the one-shot
 * path. The test's own socket and state directory; every daemon it started is gone at the end.
 */
class AutoStartTest {
    static final Path SHIM = Path.of("target/podnet-shim");
    static final String VERSION_CONF = "{\"cniVersion\":\"1.0.0\",\"name\":\"auto\"}";

    @TempDir
    Path dir;
    Path bin;
    Path socket;

    @BeforeEach
    void setUp() throws IOException {
        Root.assume();
        assumeTrue(Files.isExecutable(SHIM), "the shim was not built (no cc)");
        bin = dir.resolve("bin");
        Installer.install(bin, null, NodeConflist.DEFAULT, false, new AutoStart(true, 2), System.err);
        Files.writeString(conf(), Files.readString(conf()) + "warm-up=off\n"); // seconds a test need not spend
        socket = dir.resolve("run").resolve("podnetd.sock");
    }

    @AfterEach
    void tearDown() {
        for (long pid : daemons()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join());
        }
    }

    Path conf() {
        return bin.resolve(AutoStart.FILE);
    }

    /** podnetd processes serving our socket. */
    List<Long> daemons() {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmd.contains("podnet.cni.daemon.PodnetdMain") && cmd.contains(socket.toString())) {
                        out.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    ChildProcess.Result version(Map<String, String> extra) {
        ProcessBuilder pb = new ProcessBuilder(bin.resolve("bridge").toString());
        Map<String, String> env = new HashMap<>(Map.of("CNI_COMMAND", "VERSION", "PODNET_SOCKET", socket.toString(),
                "PODNET_SHIM_NO_FALLBACK", "1"));
        env.putAll(extra);
        pb.environment().putAll(env);
        return ChildProcess.run(pb, VERSION_CONF.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(60));
    }

    static void awaitGone(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    @Test
    void racingFirstCallsStartOneDetachedDaemonThatExitsWhenIdle() throws Exception {
        List<CompletableFuture<ChildProcess.Result>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(CompletableFuture.supplyAsync(() -> version(Map.of()), r -> Thread.ofPlatform().start(r)));
        }
        for (CompletableFuture<ChildProcess.Result> c : calls) {
            ChildProcess.Result r = c.join();
            assertThat(r.exit()).as(r.out()).isZero();
            assertThat(r.out()).contains("supportedVersions");
        }
        List<Long> started = daemons();
        assertThat(started).as("one daemon for all racing calls").hasSize(1);
        long pid = started.getFirst();

        // Detached: its own session, stdio away from the caller's, none of the call's environment.
        assertThat(field(pid, 6)).isNotEqualTo(field(ProcessHandle.current().pid(), 6));
        assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", "0"))).isEqualTo(Path.of("/dev/null"));
        Path log = socket.resolveSibling("podnetd.log");
        assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", "1"))).isEqualTo(log);
        assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", "2"))).isEqualTo(log);
        String environ = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")), StandardCharsets.UTF_8);
        assertThat(environ).doesNotContain("CNI_COMMAND").doesNotContain("PODNET_SHIM_NO_FALLBACK");

        // The later calls are served by the same daemon; then, idle for 2 s, it exits by itself.
        assertThat(version(Map.of()).exit()).isZero();
        assertThat(daemons()).containsExactly(pid);
        awaitGone(pid);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("exited when idle").isFalse();
        assertThat(socket).doesNotExist();
        assertThat(Files.readString(log)).contains("podnetd: listening on " + socket).contains("no call for 2 s, exiting");

        // The next call starts a new one.
        assertThat(version(Map.of()).exit()).isZero();
        assertThat(daemons()).hasSize(1).doesNotContain(pid);
    }

    @Test
    void theFirstCallIsAnsweredBeforeTheWarmUpWhichThenRunsBesideTheCalls() throws Exception {
        Files.writeString(conf(), Files.readString(conf()).replace("warm-up=off", "warm-up=on"));
        ChildProcess.Result r = version(Map.of());
        assertThat(r.exit()).as(r.out()).isZero();
        Path log = socket.resolveSibling("podnetd.log");
        assertThat(Files.readString(log)).as("answered before the warm-up ended").doesNotContain("warmed up");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.readString(log).matches("(?s).*(through the socket|warm-up failed).*") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(Files.readString(log)).contains("podnetd: warmed up in").contains(
                Warmup.SOCKET_CYCLES + " through the socket");
        assertThat(version(Map.of()).exit()).isZero();
        assertThat(daemons()).hasSize(1);
    }

    @Test
    void optOutByEnvironmentOrConfigKeepsTheOneShotPath() throws Exception {
        ChildProcess.Result r = version(Map.of("PODNET_AUTOSTART", "0"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("\"code\":11").contains("podnetd is not running");
        assertThat(daemons()).isEmpty();

        Files.writeString(conf(), Files.readString(conf()).replace("autostart=on", "autostart=off"));
        assertThat(version(Map.of()).out()).contains("podnetd is not running");
        assertThat(daemons()).isEmpty();

        // Allowed to fall back, the call runs in a fresh JVM and still answers.
        r = version(Map.of("PODNET_SHIM_NO_FALLBACK", "0"));
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("supportedVersions");
        assertThat(daemons()).isEmpty();
        assertThat(socket).doesNotExist();
    }

    /** Field {@code n} (1-based, as in proc(5)) of /proc/PID/stat. */
    static String field(long pid, int n) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return rest[n - 3];
    }
}
