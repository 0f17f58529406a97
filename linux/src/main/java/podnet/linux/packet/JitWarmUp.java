package podnet.linux.packet;

/**
 * Runs a round of work until the JIT has compiled it: first enough rounds to make its methods
 * hot, then (sleeping between tries, so that waiting costs no CPU) until a round runs several
 * times faster than an interpreted one did. On a loaded machine the compiler thread may take
 * seconds to get to the queued methods; without the wait a warm-up would end before they are
 * compiled and the first real traffic would pay for the interpreter after all.
 */
final class JitWarmUp {
    private JitWarmUp() {}

    static final int HOT_ROUNDS = 400, FAST_ROUNDS = 8;
    /** A round this many times faster than an interpreted one counts as compiled. */
    static final int SPEED_UP = 4;

    /** Returns the rounds run; gives up (leaving the rest to the JIT's own pace) after {@code limitNanos}. */
    static int run(Runnable round, long limitNanos) {
        long start = System.nanoTime();
        long interpreted = 0;
        int rounds = 0;
        for (; rounds < HOT_ROUNDS; rounds++) {
            long t = System.nanoTime();
            round.run();
            if (rounds == 10) { // past class loading and first-call linking, before any compile is in
                interpreted = System.nanoTime() - t;
            }
        }
        int fast = 0;
        while (fast < FAST_ROUNDS && System.nanoTime() - start < limitNanos) {
            long t = System.nanoTime();
            round.run();
            rounds++;
            if ((System.nanoTime() - t) * SPEED_UP <= interpreted) {
                fast++;
            } else {
                fast = 0;
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return rounds;
    }
}
