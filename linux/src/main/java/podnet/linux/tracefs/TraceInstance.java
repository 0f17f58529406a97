package podnet.linux.tracefs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A tracefs instance: a ring buffer of our own with its own enabled events, filters and clock.
 * Nothing here changes the top-level (global) trace settings. {@link #close()} disables what it
 * enabled and removes the instance; {@link #removeStale} removes those of earlier runs that died
 * without doing so.
 */
public final class TraceInstance implements AutoCloseable {
    private final TraceFs fs;
    private final InstanceName name;
    private final Path dir;
    private final List<Path> enabled = new ArrayList<>();
    private final List<TracePipe> pipes = new ArrayList<>();
    private boolean closed;

    private TraceInstance(TraceFs fs, InstanceName name, Path dir) {
        this.fs = fs;
        this.name = name;
        this.dir = dir;
    }

    /** Creates a new instance named for this process under {@code prefix}. */
    public static TraceInstance create(TraceFs fs, String prefix) {
        InstanceName n = InstanceName.mine(prefix);
        Path dir = fs.instances().resolve(n.text());
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("create trace instance " + dir, e);
        }
        return new TraceInstance(fs, n, dir);
    }

    /**
     * Removes the instances under {@code prefix} whose owner process is gone (a run killed
     * before it could clean up); returns their names.
     */
    public static List<String> removeStale(TraceFs fs, String prefix) {
        List<String> removed = new ArrayList<>();
        for (String n : fs.instanceNames()) {
            InstanceName parsed = InstanceName.parse(n, prefix);
            if (parsed != null && !parsed.ownerAlive()) {
                Path dir = fs.instances().resolve(n);
                disableAll(dir);
                if (rmdir(dir)) {
                    removed.add(n);
                }
            }
        }
        return removed;
    }

    public String name() {
        return name.text();
    }

    public Path dir() {
        return dir;
    }

    /** Enables {@code system:event} in this instance only. */
    public void enable(String system, String event) {
        Path p = eventDir(system, event).resolve("enable");
        write(p, "1");
        enabled.add(p);
    }

    /** Sets the instance's filter for the event (the kernel's filter syntax, e.g. {@code reason != 2}). */
    public void filter(String system, String event, String expression) {
        write(eventDir(system, event).resolve("filter"), expression);
    }

    /** The clock this instance stamps events with, e.g. {@code mono} (CLOCK_MONOTONIC). */
    public void clock(String clock) {
        write(dir.resolve("trace_clock"), clock);
    }

    /** The instance's buffer size per CPU, in KiB. */
    public void bufferKb(int kb) {
        write(dir.resolve("buffer_size_kb"), Integer.toString(kb));
    }

    /** Opens the instance's {@code trace_pipe} (consuming reads), closed with the instance. */
    public TracePipe pipe() {
        TracePipe p = TracePipe.open(dir.resolve("trace_pipe"));
        pipes.add(p);
        return p;
    }

    private Path eventDir(String system, String event) {
        return dir.resolve("events").resolve(system).resolve(event);
    }

    private static void write(Path p, String value) {
        try {
            Files.writeString(p, value, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("write " + value + " to " + p, e);
        }
    }

    /** Disables every event of an instance (before rmdir: the kernel refuses while events are on). */
    private static void disableAll(Path dir) {
        try {
            Files.writeString(dir.resolve("events").resolve("enable"), "0", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            // gone already, or nothing to disable
        }
    }

    /** rmdir, retried briefly: the kernel answers EBUSY while a reader still holds the buffer. */
    private static boolean rmdir(Path dir) {
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                Files.deleteIfExists(dir);
                return true;
            } catch (IOException e) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    /** Whether the instance still exists (false once closed). */
    public boolean exists() {
        return Files.isDirectory(dir);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Path p : enabled) {
            try {
                Files.writeString(p, "0", StandardCharsets.US_ASCII);
            } catch (IOException e) {
                // removing the instance below turns it off anyway
            }
        }
        pipes.forEach(TracePipe::close);
        if (!rmdir(dir)) {
            throw new IllegalStateException("could not remove trace instance " + dir + " (still busy)");
        }
    }

    TraceFs fs() {
        return fs;
    }
}
