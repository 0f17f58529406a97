package podnet.cni.bridge;

import podnet.cni.spec.CniError;

/** A short wait inside a call; an interrupt (the daemon stopping) ends the call as try-again. */
final class Pause {
    private Pause() {}

    static void ms(int ms) {
        if (ms <= 0) {
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CniError(CniError.TRY_AGAIN_LATER, "interrupted");
        }
    }
}
