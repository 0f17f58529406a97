package podnet.linux.packet;

import java.util.function.Consumer;
import podnet.linux.ns.Netns;
import podnet.linux.packet.filter.CaptureFilter;

/**
 * A capture read on a platform thread of its own until {@link #close()}: for watching an
 * interface while something else (a ping, a probe) happens on the caller's thread.
 */
public final class BackgroundCapture implements AutoCloseable {
    private static final long JOIN_MILLIS = 2000;

    private final Capture capture;
    private final Thread reader;

    private BackgroundCapture(Capture capture, Thread reader) {
        this.capture = capture;
        this.reader = reader;
    }

    /** Opens a capture of every frame on {@code device} in {@code netns} and hands each to {@code sink}. */
    public static BackgroundCapture start(Netns netns, String device, String threadName, Consumer<CapturedPacket> sink) {
        Capture c = Capture.open(netns, device, CaptureFilter.ALL, CaptureOptions.defaults());
        try {
            Thread t = Thread.ofPlatform().name(threadName).start(() -> c.run(p -> {
                sink.accept(p);
                return true;
            }));
            return new BackgroundCapture(c, t);
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    /** Asks the reader to stop; it does within {@link Capture#POLL_MILLIS}. */
    public void stop() {
        capture.stop();
    }

    /** Stops, waits for the reader (so no frame arrives at the sink afterwards) and closes the socket. */
    @Override
    public void close() {
        capture.stop();
        boolean interrupted = false;
        try {
            reader.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        capture.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
