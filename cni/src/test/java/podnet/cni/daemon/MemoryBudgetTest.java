package podnet.cni.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The request budget: charges before allocation, waits when spent, never deadlocks two growing calls. */
class MemoryBudgetTest {
    static final long MIB = 1 << 20;

    @Test
    void aCallThatDoesNotFitWaitsAndTheLargestFitsAlone() throws Exception {
        MemoryBudget b = new MemoryBudget(16 * MIB, 200);
        MemoryBudget.Charge big = b.charge();
        big.add(10 * MIB); // 160 MiB of heap by the estimate: capped at the whole budget, so it runs alone
        assertThatThrownBy(b::charge).as("nothing left, and the wait runs out").isInstanceOf(MemoryBudget.Exhausted.class)
                .hasMessageContaining("busy");
        big.close();
        try (MemoryBudget.Charge c = b.charge()) {
            c.add(100_000);
            assertThat(c).isNotNull();
        }
    }

    @Test
    void twoCallsGrowingAtOnceBothFinish() throws Exception {
        MemoryBudget b = new MemoryBudget(16 * MIB, 10_000);
        CountDownLatch bothHoldHalf = new CountDownLatch(2);
        Runnable call = () -> {
            try (MemoryBudget.Charge c = b.charge()) {
                c.add(MIB / 2); // 8 MiB each: the budget is full
                bothHoldHalf.countDown();
                bothHoldHalf.await(5, TimeUnit.SECONDS);
                c.add(MIB / 4); // each needs more: one gives way and waits for the other
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        CompletableFuture<Void> a = CompletableFuture.runAsync(call, r -> Thread.ofPlatform().start(r));
        CompletableFuture<Void> c = CompletableFuture.runAsync(call, r -> Thread.ofPlatform().start(r));
        CompletableFuture.allOf(a, c).get(8, TimeUnit.SECONDS);
    }
}
