package podnet.linux.tracefs;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Every packet the kernel drops, with the reason, without eBPF: the {@code skb:kfree_skb}
 * tracepoint read through a private trace instance (see {@link TraceInstance}) on a thread of
 * its own. Reasons in {@code ignored} are filtered out in the kernel (numbers from the
 * event's format file), so the reader never sees the frees that are routine.
 *
 * <p>The event carries no network namespace: it is for the caller to attribute a drop, by
 * time and protocol, to what it saw just before.
 */
public final class SkbDropWatch implements AutoCloseable {
    public static final String PREFIX = "podnet";
    private static final Pattern LOST = Pattern.compile("^CPU:(\\d+) \\[LOST (\\d+) EVENTS]");
    private static final long RESYNC_NANOS = 5_000_000_000L;

    private final TraceFs fs;
    private final TraceInstance instance;
    private final EventFormat format;
    private final List<String> staleRemoved;
    private final Thread reader;
    private final AtomicLong seen = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private volatile boolean stopped;

    private SkbDropWatch(TraceFs fs, TraceInstance instance, EventFormat format, List<String> staleRemoved,
            TracePipe pipe, Consumer<SkbDrop> sink) {
        this.fs = fs;
        this.instance = instance;
        this.format = format;
        this.staleRemoved = staleRemoved;
        this.reader = Thread.ofPlatform().daemon().name("podnet-kfree_skb").unstarted(() -> read(pipe, sink));
    }

    /**
     * Starts watching: removes stale instances of earlier runs, makes ours (monotonic clock,
     * the filter, kfree_skb on), and hands each drop to {@code sink} from the reader thread.
     * Fails (root needed, no tracefs, no tracepoint) with the reason; nothing is left behind.
     */
    public static SkbDropWatch start(Set<String> ignored, Consumer<SkbDrop> sink) {
        TraceFs fs = TraceFs.open();
        TraceInstance inst = null;
        try {
            List<String> stale = TraceInstance.removeStale(fs, PREFIX);
            EventFormat format = fs.format("skb", "kfree_skb");
            inst = TraceInstance.create(fs, PREFIX);
            inst.clock("mono");
            String filter = filter(format, ignored);
            if (!filter.isEmpty()) {
                inst.filter("skb", "kfree_skb", filter);
            }
            inst.enable("skb", "kfree_skb");
            SkbDropWatch w = new SkbDropWatch(fs, inst, format, stale, inst.pipe(), sink);
            w.reader.start();
            return w;
        } catch (RuntimeException e) {
            if (inst != null) {
                inst.close();
            }
            fs.close();
            throw e;
        }
    }

    /** The kernel filter that leaves out {@code ignored} reasons (names unknown to this kernel are skipped). */
    static String filter(EventFormat format, Set<String> ignored) {
        return ignored.stream().sorted().mapToInt(r -> format.valueOf("reason", r)).filter(v -> v >= 0)
                .mapToObj(v -> "reason != " + v).collect(Collectors.joining(" && "));
    }

    private void read(TracePipe pipe, Consumer<SkbDrop> sink) {
        long resyncAt = 0;
        KfreeSkbLine parser = null;
        while (!stopped) {
            long now = System.nanoTime();
            if (parser == null || now >= resyncAt) {
                parser = new KfreeSkbLine(format, KfreeSkbLine.monoToWallNanos()); // follow clock adjustments
                resyncAt = now + RESYNC_NANOS;
            }
            KfreeSkbLine p = parser;
            pipe.read(100, line -> {
                SkbDrop d = p.parse(line);
                if (d != null) {
                    seen.incrementAndGet();
                    sink.accept(d);
                } else {
                    var m = LOST.matcher(line);
                    if (m.find()) {
                        lost.addAndGet(Long.parseLong(m.group(2)));
                    }
                }
            });
        }
    }

    /** The event's format (reason names, fields). */
    public EventFormat format() {
        return format;
    }

    /** The instance's name (for messages and tests). */
    public String instanceName() {
        return instance.name();
    }

    /** Instances of earlier, dead runs that were removed at start. */
    public List<String> staleRemoved() {
        return staleRemoved;
    }

    public long seen() {
        return seen.get();
    }

    /** Events the kernel lost because the reader fell behind. */
    public long lost() {
        return lost.get();
    }

    /** Stops the reader and removes the instance (also safe from a shutdown path). */
    @Override
    public void close() {
        stopped = true;
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            instance.close();
        } finally {
            fs.close();
        }
    }
}
