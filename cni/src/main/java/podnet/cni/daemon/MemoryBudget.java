package podnet.cni.daemon;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The heap podnetd lets calls use at once. A call is charged for what it brings (env and
 * stdin, times what parsing and copying them costs) before it is read into memory; when the
 * budget is spent, the next call waits for one to finish instead of exhausting the heap. The
 * largest call the limits accept fits on its own, so it is never refused for size alone.
 */
final class MemoryBudget {
    /**
     * Heap per byte of request: the bytes, their strings, the parsed maps, the plugin's copies.
     * A config of empty objects ({@code [{},{},...]}) is the worst case, about this many times its size.
     */
    static final int EXPANSION = 16;
    /** What any call costs beyond its request (result, netlink buffers, bookkeeping). */
    static final long BASE = 64 << 10;

    private final Semaphore kib;
    private final long totalKib;
    private final long waitMillis;

    MemoryBudget(long bytes, long waitMillis) {
        this.totalKib = bytes >> 10;
        this.kib = new Semaphore((int) totalKib, true);
        this.waitMillis = waitMillis;
    }

    /** The budget is spent and no call finished within the wait: podnetd is overloaded. */
    static final class Exhausted extends RuntimeException {
        Exhausted(String msg) {
            super(msg);
        }
    }

    /** One call's charges; {@link #close()} gives them back. */
    final class Charge implements AutoCloseable {
        private long heldKib;

        /**
         * Charges {@code bytes} of request; waits while the budget is spent. A call that has to
         * wait gives back what it holds and waits for all of it at once (in arrival order):
         * two calls each holding part and waiting for the rest would wait for each other.
         */
        void add(long bytes) {
            long want = Math.min(totalKib - heldKib, (bytes * EXPANSION + 1023) >> 10);
            if (want <= 0 || kib.tryAcquire((int) want)) {
                heldKib += Math.max(0, want);
                return;
            }
            kib.release((int) heldKib);
            long all = heldKib + want;
            heldKib = 0;
            try {
                if (!kib.tryAcquire((int) all, waitMillis, TimeUnit.MILLISECONDS)) {
                    throw new Exhausted("podnetd is busy: its memory budget stayed spent for " + waitMillis / 1000 + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Exhausted("podnetd is stopping");
            }
            heldKib = all;
        }

        @Override
        public void close() {
            kib.release((int) heldKib);
            heldKib = 0;
        }
    }

    Charge charge() {
        Charge c = new Charge();
        c.add(BASE / EXPANSION);
        return c;
    }
}
