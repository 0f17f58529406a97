package podnet.linux.packet;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.ReentrantLock;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;
import podnet.linux.packet.filter.CaptureFilter;
import podnet.linux.packet.pcap.PcapWriter;
import podnet.linux.sys.ffm.MappedMemory;
import podnet.linux.sys.Poll;

/**
 * A live capture on one interface of one network namespace, like {@code ip netns exec NS
 * tcpdump -i DEV}: a packet socket with a TPACKET_V3 ring, an optional filter (classic BPF in the
 * kernel where it compiles, otherwise applied here after decoding).
 *
 * <p>{@link #run} delivers frames on the calling thread until the handler returns false,
 * {@link #stop()} is called (from any thread; it takes effect within {@link #POLL_MILLIS}) or the
 * capture is closed. {@link #close()} from another thread waits for {@code run} to return before
 * the ring is unmapped.
 */
public final class Capture implements AutoCloseable {
    /** How long one wait for frames lasts before the stop flag is looked at again. */
    public static final int POLL_MILLIS = 100;

    /** Receives frames; return false to end the capture. */
    @FunctionalInterface
    public interface Handler {
        boolean accept(CapturedPacket packet);
    }

    private final Netns netns;
    private final String device;
    private final int ifindex;
    private final CaptureFilter filter;
    private final PacketSocket socket;
    private final MappedMemory ring;
    private final PacketRing reader;
    private final int snapLength;
    private final ReentrantLock running = new ReentrantLock();
    private volatile boolean stopped;
    private final Object statsLock = new Object();
    private volatile boolean closed;
    private PacketStats stats = new PacketStats(0, 0);
    private long delivered;
    private volatile int lastError;

    private Capture(Netns netns, String device, int ifindex, CaptureFilter filter, PacketSocket socket,
            MappedMemory ring, CaptureOptions options) {
        this.netns = netns;
        this.device = device;
        this.ifindex = ifindex;
        this.filter = filter;
        this.socket = socket;
        this.ring = ring;
        this.reader = new PacketRing(ring.segment(), options);
        this.snapLength = options.snapLength();
    }

    /** The device name that captures on every interface of the namespace (as tcpdump -i any). */
    public static final String ANY = "any";

    /**
     * Starts capturing on {@code device} in {@code netns} ({@link #ANY} for all of its
     * interfaces: each frame then says which in {@link CapturedPacket#ifindex()}): frames are
     * queued in the ring from the moment this returns. A missing device fails with ENODEV
     * naming the namespace.
     */
    public static Capture open(Netns netns, String device, CaptureFilter filter, CaptureOptions options) {
        int ifindex = 0;
        if (!ANY.equals(device)) {
            try (NetlinkHandle h = NetlinkHandle.open(netns)) {
                ifindex = h.links().require(device).index();
            }
        } else if (!netns.exists()) {
            throw new IllegalArgumentException("no network namespace " + netns.label());
        }
        PacketSocket s = PacketSocket.open(netns);
        MappedMemory ring = null;
        try {
            filter.bpf(options.snapLength()).ifPresent(s::attachFilter);
            ring = s.mapRing(options);
            s.bind(ifindex);
            if (ifindex != 0) { // "any" (index 0): like tcpdump, not promiscuous
                s.promiscuous(ifindex);
            }
            return new Capture(netns, device, ifindex, filter, s, ring, options);
        } catch (RuntimeException e) {
            if (ring != null) {
                ring.close();
            }
            s.close();
            throw e;
        }
    }

    public static Capture open(Netns netns, String device) {
        return open(netns, device, CaptureFilter.ALL, CaptureOptions.defaults());
    }

    public Netns netns() {
        return netns;
    }

    public String device() {
        return device;
    }

    public int ifindex() {
        return ifindex;
    }

    public CaptureFilter filter() {
        return filter;
    }

    /**
     * Delivers frames to {@code handler} until it returns false, {@link #stop()} or
     * {@link #close()}; returns the number of frames delivered by this call.
     */
    public long run(Handler handler) {
        return run(handler, null);
    }

    /**
     * Like {@link #run(Handler)}, also ending once {@code limit} has passed (null: no limit);
     * frames already queued when it ends stay for the next call.
     */
    public long run(Handler handler, Duration limit) {
        running.lock();
        try {
            long before = delivered;
            if (closed) {
                return 0;
            }
            PacketRing.Sink sink = p -> {
                if (!filter.matchesInJava(p.data())) {
                    return true;
                }
                delivered++;
                return handler.accept(p) && !stopped;
            };
            loop(() -> reader.drain(sink), limit);
            return delivered - before;
        } finally {
            running.unlock();
        }
    }

    /**
     * Writes up to {@code maxFrames} frames to {@code file} as classic pcap (what
     * {@link podnet.linux.packet.pcap.PcapWriter} writes) until then, {@link #stop()},
     * {@link #close()} or {@code limit} (null: none); returns the frames written. With no filter
     * or one the kernel runs, the frames go from the ring to the file without a copy here (see
     * {@link PcapSpool}); a filter applied here needs their bytes, and takes the
     * {@link #run} path.
     */
    public long record(Path file, long maxFrames, Duration limit) {
        if (!filter.inKernel() && filter.expr().isPresent()) {
            try (PcapWriter w = PcapWriter.create(file, snapLength)) {
                long[] n = {0};
                run(p -> {
                    w.write(p);
                    return ++n[0] < maxFrames;
                }, limit);
                return n[0];
            }
        }
        running.lock();
        try (PcapSpool spool = PcapSpool.create(file, reader, snapLength, maxFrames)) {
            if (closed || maxFrames <= 0) {
                return 0;
            }
            loop(() -> reader.drainRaw(spool) && !stopped, limit);
            delivered += spool.frames();
            return spool.frames();
        } finally {
            running.unlock();
        }
    }

    /** Drains until {@code drainOnce} says stop, {@link #stop()} or the limit; waits for frames in between. */
    private void loop(BooleanSupplier drainOnce, Duration limit) {
        long deadline = limit == null ? Long.MAX_VALUE : System.nanoTime() + limit.toNanos();
        while (!stopped && drainOnce.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            if (!stopped && !reader.ready()) {
                int wait = (int) Math.max(1, Math.min(POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(left)));
                int revents = Poll.poll(socket.fd(), (short) Poll.POLLIN, wait);
                if ((revents & Poll.POLLERR) != 0) {
                    // The interface went down (ENETDOWN): take the error so poll waits again;
                    // frames resume if it comes back up, as the kernel re-arms the socket.
                    int err = socket.takeError();
                    if (err != 0) {
                        lastError = err;
                    }
                }
            }
        }
    }

    /** The last error the socket reported (e.g. ENETDOWN when the link went down), or 0. */
    public int lastError() {
        return lastError;
    }

    /** Ends {@link #run} (from any thread, e.g. a signal handler). */
    public void stop() {
        stopped = true;
    }

    public boolean isStopped() {
        return stopped;
    }

    /** Kernel counters since the capture opened (dropped = lost because the ring was full). */
    public PacketStats stats() {
        synchronized (statsLock) {
            if (!closed) {
                stats = stats.plus(socket.takeStats());
            }
            return stats;
        }
    }

    @Override
    public void close() {
        stopped = true;
        running.lock(); // run() notices the flag within one poll and lets go
        try {
            synchronized (statsLock) {
                if (closed) {
                    return;
                }
                stats = stats.plus(socket.takeStats());
                closed = true;
            }
            ring.close();
            socket.close();
        } finally {
            running.unlock();
        }
    }
}
