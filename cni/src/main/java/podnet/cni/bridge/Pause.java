package podnet.cni.bridge;

import podnet.cni.spec.CniError;

/** A short wait inside a call; an interrupt (the daemon stopping) ends the call as try-again. */
final class Pause {
    private Pause() {}

    static void ms(int ms) {
        micros(ms * 1000L);
    }

    /** Sleeps {@code us} microseconds (the JDK sleeps that finely since 21). */
    static void micros(long us) {
        if (us <= 0) {
            return;
        }
        try {
            Thread.sleep(java.time.Duration.ofNanos(us * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CniError(CniError.TRY_AGAIN_LATER, "interrupted");
        }
    }
}
