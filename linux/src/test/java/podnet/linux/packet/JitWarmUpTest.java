package podnet.linux.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JitWarmUpTest {
    @Test
    void runsTheHotRoundsThenUntilRoundsGetFast() {
        AtomicLong n = new AtomicLong();
        int rounds = JitWarmUp.run(() -> {
            long x = n.incrementAndGet();
            for (int i = 0; i < 200; i++) {
                x = x * 31 + i;
            }
            if (x == 42) {
                n.incrementAndGet();
            }
        }, 5_000_000_000L);
        assertThat(rounds).isGreaterThanOrEqualTo(JitWarmUp.HOT_ROUNDS + JitWarmUp.FAST_ROUNDS);
        assertThat(n.get()).isGreaterThanOrEqualTo(rounds);
    }

    @Test
    void givesUpAtTheLimitWhenRoundsNeverGetFaster() {
        long t = System.nanoTime();
        int rounds = JitWarmUp.run(() -> {
            try {
                Thread.sleep(0, 200_000); // as slow at the end as at the start
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, 300_000_000L);
        assertThat(rounds).isGreaterThanOrEqualTo(JitWarmUp.HOT_ROUNDS);
        assertThat(System.nanoTime() - t).isLessThan(10_000_000_000L);
    }
}
