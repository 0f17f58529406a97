package podnet.cni.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.ns.NamedNetns;
import podnet.linux.testing.Root;

/**
 * The AOT training run is bounded: a "java" that hangs (or floods its stdout and never exits)
 * is killed with what it started at the timeout, and the install goes on without the cache
 * (it is only a speed-up) after saying why. The fake java stands in for the training JVM.
 */
class AotCacheTest {
    @TempDir
    Path dir;
    List<Path> jars;
    final ByteArrayOutputStream said = new ByteArrayOutputStream();
    final PrintStream log = new PrintStream(said, true, StandardCharsets.UTF_8);

    @BeforeEach
    void setUp() throws Exception {
        Root.assume(); // the training runs only as root, in throwaway namespaces
        jars = List.of(Files.writeString(dir.resolve("plugins.jar"), "not really a jar"));
        Files.createDirectories(dir.resolve("bin"));
    }

    /** A stand-in for bin/java: {@code body} runs with the JVM's arguments, its pid in {@code java.pid}. */
    Path fakeJava(String body) throws Exception {
        Path p = dir.resolve("java");
        Files.writeString(p, "#!/bin/sh\necho $$ > " + dir.resolve("java.pid") + "\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    long pidIn(String file) throws Exception {
        return Long.parseLong(Files.readString(dir.resolve(file)).strip());
    }

    static boolean gone(long pid) throws InterruptedException {
        for (int i = 0; i < 100 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(20);
        }
        return !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Nothing of the training is left: no cache, no temp file, no training namespace. */
    void assertNothingLeft() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(f -> f.endsWith(".aot") || f.endsWith(".tmp"));
        }
        String tag = "podnet-aot-" + Long.toHexString(ProcessHandle.current().pid());
        assertThat(NamedNetns.list()).noneMatch(n -> n.startsWith(tag));
    }

    @Test
    void aHungTrainingRunIsKilledAtTheTimeoutAndTheInstallGoesOnWithoutTheCache() throws Exception {
        // The training JVM hangs with a child of its own (a delegated plugin, say): both must go.
        Path java = fakeJava("sleep 300 & echo $! > " + dir.resolve("child.pid") + "\nwait");
        long t0 = System.nanoTime();
        Path cache = AotCache.ensure(java, jars, Installer.JVM_FLAGS, dir.resolve("bin"), log, Duration.ofSeconds(1));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(cache).isNull();
        assertThat(took).as("bounded by the timeout").isLessThan(Duration.ofSeconds(10));
        assertThat(said.toString()).contains("podnet: AOT training failed (the one-shot path still works, slower):",
                "no answer within 1.0 s (killed)");
        assertThat(gone(pidIn("java.pid"))).as("the training run is killed").isTrue();
        assertThat(gone(pidIn("child.pid"))).as("and what it started").isTrue();
        assertNothingLeft();
    }

    @Test
    void aTrainingRunThatFloodsItsOutputStillEndsAtTheTimeout() throws Exception {
        // What the old code did wrong: it read all the output before its waitFor could time out.
        Path java = fakeJava("exec yes podnet");
        long t0 = System.nanoTime();
        Path cache = AotCache.ensureDaemon(java, jars, Installer.DAEMON_FLAGS, log, Duration.ofSeconds(1));
        assertThat(cache).isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThat(said.toString()).contains("AOT training failed (podnetd still works, slower): no answer within 1.0 s");
        assertThat(gone(pidIn("java.pid"))).isTrue();
        assertNothingLeft();
    }

    @Test
    void aFailedTrainingRunSaysWhy() throws Exception {
        Path java = fakeJava("echo '{\"code\":999,\"msg\":\"boom\"}'; exit 1");
        assertThat(AotCache.ensure(java, jars, Installer.JVM_FLAGS, dir.resolve("bin"), log, Duration.ofSeconds(30)))
                .isNull();
        assertThat(said.toString()).contains("AOT training failed (the one-shot path still works, slower): exit 1:",
                "\"msg\":\"boom\"");
        assertNothingLeft();
    }

    @Test
    void aTrainingRunInTimeMakesTheCacheNamedByTheBuild() throws Exception {
        // -XX:AOTCacheOutput=FILE comes first: the fake writes FILE as the JVM would.
        Path java = fakeJava("f=${1#-XX:AOTCacheOutput=}; cat > /dev/null; echo cache > \"$f\"");
        Path cache = AotCache.ensure(java, jars, Installer.JVM_FLAGS, dir.resolve("bin"), log, Duration.ofSeconds(30));
        assertThat(cache).isEqualTo(AotCache.file(jars)).exists();
        assertThat(said.toString()).isEmpty();
        assertThat(AotCache.ensure(java, jars, Installer.JVM_FLAGS, dir.resolve("bin"), log, Duration.ofSeconds(30)))
                .as("trained once: found the next time").isEqualTo(cache);
        assertThat(dir.resolve(cache.getFileName() + ".tmp")).doesNotExist();
    }
}
