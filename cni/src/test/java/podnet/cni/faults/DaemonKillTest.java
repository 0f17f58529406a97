package podnet.cni.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Ip;

/**
 * podnetd killed or stopped in the middle of 30 concurrent ADDs through the installed shims
 * (the socket held as systemd holds it, the daemon restarted after): every call answers valid
 * CNI JSON with a matching exit status, and DEL of every container then leaves no veth, lease
 * or nft element behind.
 */
class DaemonKillTest {
    static final int PODS = 30;

    /** One node for both tests: the holder restarts the daemon after each burst anyway. */
    @RegisterExtension
    static final ThrowawayFaultNode node = new ThrowawayFaultNode("kill", "10.244.61.");
    FaultNode n;

    @BeforeEach
    void setUp() {
        n = node.get();
    }

    record Burst(List<Netns> pods, List<FaultNode.Shim> answers) {}

    /** 30 concurrent ADDs; {@code signal} is sent to the daemon once {@code atVeths} host veths exist. */
    Burst burst(String round, int atVeths, String signal) throws Exception {
        List<Netns> pods = new ArrayList<>();
        for (int i = 0; i < PODS; i++) {
            pods.add(n.ns.add(round + i));
        }
        long pid = n.daemonPid();
        ExecutorService pool = Executors.newFixedThreadPool(PODS);
        try {
            List<Future<FaultNode.Shim>> calls = new ArrayList<>();
            for (int i = 0; i < PODS; i++) {
                String id = round + "-" + i;
                Netns pod = pods.get(i);
                calls.add(pool.submit(() -> n.add(id, pod)));
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (n.veths() < atVeths && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            n.signal(pid, signal);
            List<FaultNode.Shim> answers = new ArrayList<>();
            for (int i = 0; i < PODS; i++) {
                answers.add(calls.get(i).get().valid(round + " ADD " + i));
            }
            n.awaitReady(pid); // restarted on the same socket
            return new Burst(pods, answers);
        } finally {
            pool.shutdownNow();
        }
    }

    void delEverythingAndCheckNothingIsLeft(String round, Burst b) {
        for (int i = 0; i < PODS; i++) {
            FaultNode.Shim d = n.del(round + "-" + i, b.pods().get(i)).valid(round + " DEL " + i);
            assertThat(d.exit()).as("%s DEL %d: %s", round, i, d.out()).isZero();
        }
        assertThat(n.veths()).as(round + ": veths").isZero();
        for (Netns pod : b.pods()) {
            assertThat(Ip.json(pod.name(), "link", "show")).as(round + ": " + pod.name()).hasSize(1);
        }
        n.assertNothingLeft(round);
        b.pods().forEach(pod -> NamedNetns.deleteIfExists(pod.name())); // the next burst brings its own
    }

    @Test
    void sigkillAtSeveralPointsOfThirtyConcurrentAdds() throws Exception {
        StringBuilder figures = new StringBuilder();
        for (int killAt : new int[] {1, 10, 25}) {
            String round = "k" + killAt;
            Burst b = burst(round, killAt, "KILL");
            long ok = b.answers().stream().filter(a -> a.exit() == 0).count();
            long again = b.answers().stream().filter(a -> a.exit() != 0 && a.code() == 11).count();
            assertThat(ok + again).as("%s: a killed call is 11, nothing else: %s", round, b.answers()).isEqualTo(PODS);
            figures.append(round).append(": ").append(ok).append(" done, ").append(again).append(" try-again; ");
            delEverythingAndCheckNothingIsLeft(round, b);
        }
        System.err.println("DaemonKillTest: SIGKILL at 1/10/25 host veths: " + figures);
        assertThat(n.readLog()).as("the socket came from the holder (LISTEN_FDS)").contains("(from systemd)");
    }

    @Test
    void sigtermDuringABurstFinishesTheCallsInFlight() throws Exception {
        Burst b = burst("t", 5, "TERM");
        for (FaultNode.Shim a : b.answers()) {
            assertThat(a.exit()).as("every call completes: %s", a.out()).isZero();
        }
        assertThat(n.readLog()).contains("podnetd: stopping");
        delEverythingAndCheckNothingIsLeft("t", b);
    }
}
