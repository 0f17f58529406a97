package podnet.cni.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Root;

/**
 * ADD/DEL cycles of one pod through the shim into one podnetd (ipMasq on): the daemon's RSS
 * stays flat and it holds no more descriptors at the end than after the warm-up. CI runs
 * {@value #DEFAULT_CYCLES}; {@code bench/podnetd-cycles.sh} runs 1,000
 * ({@code -Dpodnet.cycles=N}).
 */
class AddDelCyclesTest {
    static final int DEFAULT_CYCLES = 300, WARMUP = 100;
    static final int CYCLES = Integer.getInteger("podnet.cycles", DEFAULT_CYCLES);

    @TempDir
    Path dir;
    FaultNode n;

    @BeforeEach
    void setUp() {
        Root.assumeProgram("nft");
        assumeTrue(Files.isExecutable(Path.of("target/podnet-shim")), "the shim was not built (no cc)");
        n = FaultNode.start("cyc", dir, "10.244.63.");
    }

    @AfterEach
    void tearDown() {
        if (n != null) {
            n.close();
        }
    }

    @Test
    void rssAndDescriptorsStayFlat() throws Exception {
        Netns pod = n.ns.add("pod");
        long pid = n.daemonPid();
        long rss0 = FaultNode.rssKib(pid);
        long t0 = System.nanoTime();
        cycles(pod, 0, WARMUP);
        long rssWarm = FaultNode.rssKib(pid), fdsWarm = FaultNode.fds(pid);
        cycles(pod, WARMUP, CYCLES);
        long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        long rss = FaultNode.rssKib(pid), fds = FaultNode.fds(pid), peak = FaultNode.statusField(pid, "VmHWM:");
        System.err.printf("AddDelCyclesTest: %d ADD/DEL cycles in %.1f s (%.1f ms per cycle); podnetd RSS %d KiB at"
                + " the start, %d KiB after %d, %d KiB after %d (peak %d KiB); fds %d after %d, %d after %d%n",
                CYCLES, ms / 1000.0, (double) ms / CYCLES, rss0, rssWarm, WARMUP, rss, CYCLES, peak, fdsWarm, WARMUP,
                fds, CYCLES);
        assertThat(rss - rssWarm).as("RSS growth after the warm-up").isLessThan(8 * 1024);
        assertThat(peak).isLessThan(128 * 1024);
        assertThat(fds).as("no descriptor growth").isLessThanOrEqualTo(fdsWarm);
        assertThat(n.veths()).isZero();
        assertThat(n.leases()).isEmpty();
    }

    /** Cycles [from, to): the runner DELs after every successful ADD; every one must succeed. */
    private void cycles(Netns pod, int from, int to) {
        List<CallRunner.Call> calls = new ArrayList<>();
        for (int i = from; i < to; i++) {
            Map<String, String> env = FaultNode.attachment("ADD", "cyc-" + i, pod);
            env.put("CNI_PATH", n.bin.toString());
            calls.add(new CallRunner.Call(env, n.conf().getBytes(StandardCharsets.UTF_8)));
        }
        List<List<CallRunner.Answer>> answers = CallRunner.start(n, calls, "cycles").answers();
        for (int i = 0; i < answers.size(); i++) {
            assertThat(answers.get(i)).as("cycle %d: ADD and DEL both succeed: %s", from + i, answers.get(i))
                    .hasSize(2).allMatch(a -> a.status() == 0);
        }
    }
}
