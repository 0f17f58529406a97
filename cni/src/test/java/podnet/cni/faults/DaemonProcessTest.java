package podnet.cni.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.sys.SysException;
import podnet.linux.sys.UnixSocket;
import podnet.linux.testing.ChildProcess;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;

/** podnetd as a process of its own, binding its socket itself (no socket activation). */
class DaemonProcessTest {
    @TempDir
    Path dir;
    Path socket;
    List<Process> started = new ArrayList<>();

    @BeforeEach
    void setUp() {
        Root.assume();
        socket = dir.resolve("d.sock");
    }

    @AfterEach
    void tearDown() {
        for (Process p : started) {
            p.destroyForcibly();
        }
    }

    /** `sh -c "umask 000; exec java ... DaemonProcess SOCKET"`, stderr to {@code log}. */
    Process daemon(Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "umask 000; exec \"$@\"", "sh",
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(FaultNode.DAEMON_JVM);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DaemonProcess.class.getName(), socket.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(p);
        return p;
    }

    static void awaitLog(Path log, String text) throws Exception {
        for (int i = 0; i < 600; i++) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no \"" + text + "\" in " + (Files.exists(log) ? Files.readString(log) : "(no log)"));
    }

    /** A VERSION request on a raw connection: answered means serving. */
    boolean answers() {
        try (UnixSocket c = UnixSocket.connect(socket)) {
            c.setTimeouts(10_000);
            c.writeFully(new byte[] {'P', 'N', 'C', '1', 0, 0, 0, 0, 6, 0, 0, 0, 'b', 'r', 'i', 'd', 'g', 'e', 0, 0, 0, 0});
            return c.readFully(8).length == 8;
        } catch (SysException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    @Test
    void theSocketIs0600UnderAnyUmaskAndASecondDaemonDoesNotTakeItOver() throws Exception {
        Path log1 = dir.resolve("first.log"), log2 = dir.resolve("second.log");
        Process first = daemon(log1);
        awaitLog(log1, "listening on");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        assertThat(answers()).isTrue();

        Process second = daemon(log2);
        ChildProcess.Result r = ChildProcess.finish(second, null, Duration.ofSeconds(60));
        assertThat(r.exit()).isNotZero();
        assertThat(Files.readString(log2)).contains("another podnetd is running on " + socket);
        assertThat(answers()).as("the first one still serves").isTrue();

        first.destroy(); // SIGTERM
        assertThat(ChildProcess.finish(first, null, Duration.ofSeconds(30)).exit()).isZero();
        assertThat(socket).doesNotExist();
    }

    @Test
    void acceptErrorsBackOffInsteadOfSpinning() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "no prlimit");
        Path log = dir.resolve("d.log");
        Process d = daemon(log);
        awaitLog(log, "listening on");
        assertThat(answers()).isTrue();
        long pid = d.pid();
        int fds = FaultNode.fds(pid);
        // Room for four more descriptors: the fifth connection makes accept fail with EMFILE. Only the
        // soft limit is lowered: raising a hard limit again needs CAP_SYS_RESOURCE.
        String[] limit = Files.readAllLines(Path.of("/proc/" + pid + "/limits")).stream()
                .filter(l -> l.startsWith("Max open files")).findFirst().orElseThrow().split("\\s+");
        String soft = limit[3], hard = limit[4];
        Ip.run("prlimit", "--pid", Long.toString(pid), "--nofile=" + (fds + 4) + ":" + hard).ok();
        List<UnixSocket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                idle.add(UnixSocket.connect(socket)); // they connect (the backlog) and send nothing
            }
            awaitLog(log, "accept failed");
            long cpu0 = FaultNode.cpuTicks(pid);
            Thread.sleep(2000);
            long cpu = FaultNode.cpuTicks(pid) - cpu0;
            System.err.println("DaemonProcessTest: " + cpu + " ticks (1/100 s) of CPU in 2 s of EMFILE");
            assertThat(cpu).as("CPU ticks in 2 s of EMFILE: backoff, no spin").isLessThan(40);
            assertThat(d.isAlive()).isTrue();
        } finally {
            idle.forEach(UnixSocket::close);
        }
        Ip.run("prlimit", "--pid", Long.toString(pid), "--nofile=" + soft + ":" + hard).ok();
        boolean served = false;
        for (int i = 0; i < 100 && !served; i++) {
            served = answers();
            Thread.sleep(50);
        }
        assertThat(served).as("serves again once descriptors are free").isTrue();
    }
}
