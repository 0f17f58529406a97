package podnet.cni.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.testing.Ip;

/**
 * Mutated configs and environments ({@link Mutator}) through the installed shim into one
 * podnetd, run by small C drivers (src/test/c/fuzz-runner.c) from inside the node netns so
 * that the spawns do not dominate: every call ends in time with valid CNI JSON and a matching
 * exit status, none dies of a signal, the daemon survives with flat RSS and file descriptors,
 * and whatever a successful ADD made, its DEL takes back. CI runs {@value #CI_CASES} cases (the
 * first {@value #WARMUP} before RSS and descriptors are taken as the baseline);
 * {@code bench/podnetd-fuzz.sh} runs them outside the suite. {@code -Dpodnet.fuzz.cases=N},
 * {@code -Dpodnet.fuzz.seed=S} and {@code -Dpodnet.fuzz.workers=W} change the run.
 */
class ShimFuzzTest {
    static final int CI_CASES = 10_000; // the floor, in the suite itself
    static final int CASES = Integer.getInteger("podnet.fuzz.cases", CI_CASES);
    static final long SEED = Long.getLong("podnet.fuzz.seed", 20261126L);
    static final int WORKERS = Integer.getInteger("podnet.fuzz.workers", 4), WARMUP = 1000;

    @RegisterExtension
    static final ThrowawayFaultNode node = new ThrowawayFaultNode("fuzz", "10.244.62.");
    FaultNode n;

    /** The answers to one batch, by status (exit code; 1000 + signal; 2000 timeout). */
    final Map<String, Integer> tally = new TreeMap<>();
    int successfulAdds;
    /** The first internal (999) and I/O (5) errors, printed for a look: they should name real causes. */
    final List<String> internal = new ArrayList<>();

    @Test
    void mutatedCallsAlwaysGetAValidAnswer(FaultNode n) throws Exception {
        this.n = n;
        List<List<String>> pods = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) { // each runner its own pods: one's ADD never meets another's DEL
            pods.add(List.of(n.ns.add("p" + w + "a").path().toString(), n.ns.add("p" + w + "b").path().toString()));
        }
        List<Mutator> mutators = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            mutators.add(new Mutator(SEED + w, n.bin.toString(), n.data.toString(), n.node.name(), pods.get(w)));
        }
        long pid = n.daemonPid();
        long t0 = System.nanoTime(), cpu0 = FaultNode.cpuTicks(pid);
        batch(mutators, 0, WARMUP);
        long rssWarm = FaultNode.rssKib(pid);
        int fdsWarm = FaultNode.settledFds(pid, 0, 500);
        batch(mutators, WARMUP, CASES);
        long seconds = Duration.ofNanos(System.nanoTime() - t0).toSeconds();
        double daemonCpu = (FaultNode.cpuTicks(pid) - cpu0) / 100.0; // USER_HZ
        assertThat(n.daemonPid()).as("the daemon never died").isEqualTo(pid);
        long rss = FaultNode.rssKib(pid), peak = FaultNode.statusField(pid, "VmHWM:");
        int fds = FaultNode.settledFds(pid, fdsWarm, 2000);
        System.err.printf("ShimFuzzTest: %d cases (seed %d, %d runners) in %d s, %d successful ADDs (each DEL'd); exit codes and CNI"
                + " codes %s; podnetd used %.1f s of CPU; RSS %d KiB after %d cases, %d KiB after %d (peak %d KiB);"
                + " fds %d -> %d; load %s%n",
                CASES, SEED, WORKERS, seconds, successfulAdds, tally, daemonCpu, rssWarm, WARMUP, rss, CASES, peak, fdsWarm, fds,
                Files.readString(Path.of("/proc/loadavg")).strip());
        internal.forEach(e -> System.err.println("ShimFuzzTest: " + e));
        assertThat(peak).as("RSS peak").isLessThan(128 * 1024);
        assertThat(rss - rssWarm).as("RSS growth").isLessThan(16 * 1024);
        assertThat(fds).as("no descriptor leaks (a rare path may still open a class file)").isLessThanOrEqualTo(fdsWarm + 2);
        assertThat(n.veths()).as("every successful ADD was deleted").isZero();
        try (Stream<Path> files = Files.walk(n.data)) {
            assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(f -> !f.equals("lock") && !f.startsWith("last_reserved_ip."))).isEmpty();
        }
        for (List<String> ps : pods) {
            for (String p : ps) {
                assertThat(Ip.json(Path.of(p).getFileName().toString(), "link", "show")).as(p).hasSize(1);
            }
        }
    }

    /** Cases [from, to) spread over the runners, run at once; every answer checked. */
    private void batch(List<Mutator> mutators, int from, int to) {
        List<List<Mutator.Case>> work = new ArrayList<>();
        List<CallRunner> runners = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            List<Mutator.Case> cases = new ArrayList<>();
            List<CallRunner.Call> calls = new ArrayList<>();
            for (int i = from + w; i < to; i += WORKERS) {
                Mutator.Case c = mutators.get(w).next(i);
                cases.add(c);
                calls.add(new CallRunner.Call(c.env(), c.stdin()));
            }
            work.add(cases);
            runners.add(CallRunner.start(n, calls, "fuzz-" + w));
        }
        for (int w = 0; w < WORKERS; w++) {
            List<List<CallRunner.Answer>> answers = runners.get(w).answers();
            for (int i = 0; i < answers.size(); i++) {
                Mutator.Case c = work.get(w).get(i);
                String what = "env " + c.env() + ", stdin " + preview(c.stdin());
                List<CallRunner.Answer> a = answers.get(i);
                check(a.getFirst(), what);
                if (a.size() == 2) {
                    successfulAdds++;
                    check(a.get(1), "the DEL after " + what);
                    assertThat(a.get(1).status()).as("the DEL after %s: %s", what, a.get(1).out()).isZero();
                }
            }
        }
    }

    private void check(CallRunner.Answer a, String what) {
        assertThat(a.status()).as("timed out (2000) or died of a signal (1000+): " + what).isLessThan(1000);
        FaultNode.Shim r = new FaultNode.Shim(a.status(), a.out()).valid(what);
        tally.merge(a.status() == 0 ? "exit 0" : "code " + r.code(), 1, Integer::sum);
        if (a.status() != 0 && (r.code() == 999 || r.code() == 5) && internal.size() < 20) {
            internal.add(r.out().strip() + "  <- " + what.substring(0, Math.min(what.length(), 400)));
        }
    }

    private static String preview(byte[] b) {
        String s = new String(b, 0, Math.min(b.length, 300), StandardCharsets.UTF_8);
        return b.length > 300 ? s + "... (" + b.length + " bytes)" : s;
    }
}
