package podnet.linux.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import podnet.linux.testing.Root;

/** kill(2) on processes and process groups this test started itself. */
class SignalsTest {

    @Test
    void aGroupIsSignalledAsAWholeAndThenIsGone() throws Exception {
        Root.assumeProgram("setsid");
        // setsid execs sleep as the leader of a new group: pgid == pid.
        Process p = new ProcessBuilder("setsid", "sleep", "30").start();
        try {
            // Right after the start the child may not have called setsid() yet.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Signals.killGroup(p.pid(), 0) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(Signals.killGroup(p.pid(), 0)).as("the group exists").isTrue();
            assertThat(Signals.killGroup(p.pid(), Signals.SIGTERM)).isTrue();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(Signals.killGroup(p.pid(), 0)).as("ESRCH once gone").isFalse();
            assertThat(Signals.kill(p.pid(), 0)).isFalse();
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void refusesTheSpecialPids() {
        for (long pid : new long[] {0, -1, 1}) {
            assertThatThrownBy(() -> Signals.kill(pid, 0)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> Signals.killGroup(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
