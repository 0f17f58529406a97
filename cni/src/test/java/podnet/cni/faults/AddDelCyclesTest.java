package podnet.cni.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.ns.Netns;

/**
 * ADD/DEL cycles of one pod through the shim into one podnetd (ipMasq on): the daemon's RSS
 * stays flat and it holds no more descriptors at the end than after the warm-up. CI runs
 * {@value #DEFAULT_CYCLES} (after the warm-up); {@code bench/podnetd-cycles.sh} runs them outside
 * the suite ({@code -Dpodnet.cycles=N}).
 */
class AddDelCyclesTest {
    static final int DEFAULT_CYCLES = 1000, WARMUP = 100;
    static final int CYCLES = Integer.getInteger("podnet.cycles", DEFAULT_CYCLES);

    @RegisterExtension
    static final ThrowawayFaultNode node = new ThrowawayFaultNode("cyc", "10.244.63.");

    @Test
    void rssAndDescriptorsStayFlat(FaultNode n) {
        Netns pod = n.ns.add("pod");
        long pid = n.daemonPid();
        long rss0 = FaultNode.rssKib(pid);
        long t0 = System.nanoTime();
        cycles(n, pod, 0, WARMUP);
        long rssWarm = FaultNode.rssKib(pid);
        int fdsWarm = FaultNode.settledFds(pid, 0, 500);
        cycles(n, pod, WARMUP, CYCLES);
        long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        long rss = FaultNode.rssKib(pid), peak = FaultNode.statusField(pid, "VmHWM:");
        int fds = FaultNode.settledFds(pid, fdsWarm, 2000);
        System.err.printf("AddDelCyclesTest: %d ADD/DEL cycles in %.1f s (%.1f ms per cycle); podnetd RSS %d KiB at"
                + " the start, %d KiB after %d, %d KiB after %d (peak %d KiB); fds %d after %d, %d after %d%n",
                CYCLES, ms / 1000.0, (double) ms / CYCLES, rss0, rssWarm, WARMUP, rss, CYCLES, peak, fdsWarm, WARMUP,
                fds, CYCLES);
        assertThat(rss - rssWarm).as("RSS growth after the warm-up").isLessThan(8 * 1024);
        assertThat(peak).isLessThan(128 * 1024);
        assertThat(fds).as("no descriptor growth").isLessThanOrEqualTo(fdsWarm);
        n.assertNothingLeft("after the cycles");
    }

    /** Cycles [from, to): the runner DELs after every successful ADD; every one must succeed. */
    private static void cycles(FaultNode n, Netns pod, int from, int to) {
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
