package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.packet.VethPair;
import podnet.linux.testing.ChildProcess;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/**
 * The long-running commands started the way a script starts a background job (`cmd &`: SIGINT
 * arrives ignored) stop on SIGINT and on SIGTERM, flush what they write, print their counts and
 * exit 0. The time from the signal to the exit is printed (about 0.2-0.5 s here when the machine
 * is idle); the bounds asserted are loose, for a loaded CI machine, but below what the command
 * would take without the handler (never, for capture and daemon; the probe's 2 s timeout, trace).
 */
class StopOnSignalTest {
    TestNetns namespaces;
    @TempDir
    Path dir;

    @BeforeEach
    void setUp() {
        Root.assumeProgram("ping");
        namespaces = new TestNetns("sig");
    }

    @AfterEach
    void tearDown() {
        namespaces.close();
    }

    /** `sh -c "trap '' INT; exec java ... podnet.cli.Main ARGS"`: the JVM inherits SIGINT ignored. */
    static Process background(List<String> args) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of("sh", "-c",
                "trap '' INT; exec \"$@\"", "sh", java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "podnet.cli.Main"));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).start();
    }

    /** Waits for a line of stderr containing {@code text}; returns the lines read so far. */
    static List<String> awaitStderr(Process p, String text) throws Exception {
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        for (String line; (line = err.readLine()) != null; ) {
            lines.add(line);
            if (line.contains(text)) {
                return lines;
            }
        }
        throw new AssertionError("exited before printing \"" + text + "\": " + lines);
    }

    /** Waits (up to 20 s) until {@code p} runs a thread named {@code name}. */
    static void awaitThread(Process p, String name) throws Exception {
        for (int i = 0; i < 400; i++) {
            try (var tasks = Files.list(Path.of("/proc/" + p.pid() + "/task"))) {
                for (Path t : tasks.toList()) {
                    try {
                        if (Files.readString(t.resolve("comm")).strip().equals(name)) {
                            return;
                        }
                    } catch (java.io.IOException gone) {
                        // the thread ended meanwhile
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no thread " + name + " in " + p.pid());
    }

    static void assertStoppedWithin(String what, long t0, Duration bound) {
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        System.err.println("StopOnSignalTest: " + what + " exited " + took.toMillis() + " ms after the signal");
        assertThat(took).as(what).isLessThan(bound);
    }

    static void kill(Process p, String signal) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor()).isZero();
    }

    @Test
    void captureFlushesThePcapAndPrintsItsCounts() throws Exception {
        Root.assumeProgram("tcpdump");
        VethPair pair = VethPair.create(namespaces);
        for (String signal : List.of("INT", "TERM")) {
            Path file = dir.resolve("cap-" + signal + ".pcap");
            Process p = background(List.of("capture", "-n", pair.netA().name(), "-i", pair.devA(), "-w", file.toString()));
            awaitStderr(p, "listening on");
            assertThat(Ip.ping(pair.netA().name(), VethPair.B, 2)).isTrue();
            kill(p, signal);
            long t0 = System.nanoTime();
            ChildProcess.Result r = ChildProcess.finish(p, null, Duration.ofSeconds(10));
            assertStoppedWithin("capture, SIG" + signal, t0, Duration.ofSeconds(3));
            assertThat(r.exit()).as("SIG" + signal + ": " + r.stderr()).isZero();
            assertThat(r.stderr()).contains("packets captured", "packets received by filter", "packets dropped by kernel");
            List<String> read = Ip.run("tcpdump", "-n", "-r", file.toString()).ok().out().lines().toList();
            assertThat(read).as("the pcap was flushed").anyMatch(l -> l.contains("ICMP echo request"));
        }
    }

    @Test
    void traceStopsWaitingAndReports() throws Exception {
        VethPair pair = VethPair.create(namespaces);
        // B's end is down: nobody answers, and the probe would wait for its 2 s timeout.
        Ip.run("ip", "-n", pair.netB().name(), "link", "set", pair.devB(), "down").ok();
        for (String signal : List.of("INT", "TERM")) {
            Process p = background(List.of("trace", pair.netA().name() + "/" + VethPair.A, pair.netB().name() + "/" + VethPair.B));
            awaitThread(p, "trace-probe"); // the captures are open, the probe is out and waits
            kill(p, signal);
            long t0 = System.nanoTime();
            ChildProcess.Result r = ChildProcess.finish(p, null, Duration.ofSeconds(10));
            assertStoppedWithin("trace, SIG" + signal, t0, Duration.ofMillis(1900));
            assertThat(r.exit()).as("SIG" + signal + ": " + r.stderr() + r.out()).isZero();
            assertThat(r.out()).isNotBlank();
        }
    }

    @Test
    void daemonRunDrainsAndRemovesItsSocket() throws Exception {
        for (String signal : List.of("INT", "TERM")) {
            Path socket = dir.resolve("podnetd-" + signal + ".sock");
            Process p = background(List.of("daemon", "run", "--socket", socket.toString()));
            awaitStderr(p, "listening on");
            assertThat(socket).exists();
            kill(p, signal);
            long t0 = System.nanoTime();
            ChildProcess.Result r = ChildProcess.finish(p, null, Duration.ofSeconds(10));
            assertStoppedWithin("daemon run, SIG" + signal, t0, Duration.ofSeconds(3));
            assertThat(r.exit()).as("SIG" + signal + ": " + r.stderr()).isZero();
            assertThat(r.stderr()).contains("podnetd: stopping");
            assertThat(Files.exists(socket)).isFalse();
            assertThat(p.waitFor(1, TimeUnit.SECONDS)).isTrue();
        }
    }
}
