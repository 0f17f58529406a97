package podnet.linux.sys;

import java.util.concurrent.CountDownLatch;

/** The process {@link StopSignalsTest} starts in the background of a shell: waits for a stop signal. */
public final class StopSignalsChild {
    private StopSignalsChild() {}

    public static void main(String[] args) throws InterruptedException {
        boolean inherited = StopSignals.isIgnored(StopSignals.SIGINT);
        CountDownLatch stop = new CountDownLatch(1);
        StopSignals.onStop(stop::countDown);
        System.out.println("ready sigint-ignored=" + inherited);
        System.out.flush();
        stop.await();
        System.out.println("stopped cleanly");
        System.out.flush();
    }
}
