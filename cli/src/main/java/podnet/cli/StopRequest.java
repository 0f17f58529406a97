package podnet.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import podnet.linux.sys.StopSignals;

/**
 * When a long-running command (observe, ui) should stop: SIGINT or SIGTERM — also in the
 * background of a script, where SIGINT arrives ignored — or its own time limit. Signals are
 * only taken over in the real process, not when tests run the CLI in-process.
 */
final class StopRequest {
    private final CountDownLatch stop = new CountDownLatch(1);

    static StopRequest of(Cli cli) {
        StopRequest r = new StopRequest();
        if (cli.streamsAreSystem()) {
            StopSignals.install(r::stop); // a real process: the handlers stay until it exits
        }
        return r;
    }

    void stop() {
        stop.countDown();
    }

    /** Waits up to {@code d} (null: for ever); true if a stop was asked for. */
    boolean await(Duration d) {
        try {
            if (d == null) {
                stop.await();
                return true;
            }
            return stop.await(d.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }
}
