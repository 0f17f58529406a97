package podnet.linux.packet;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.ReentrantLock;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;
import podnet.linux.packet.filter.BpfProgram;
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

    /**
     * Receives frames where they lie, for {@link #runFrames}: no object per frame. The frame's
     * bytes are {@code block[offset, offset + captured)}, valid only during the call (the array
     * is reused). A VLAN tag the kernel took out of the frame is not in the bytes (it is in the
     * wire length). Return false to end the capture.
     */
    @FunctionalInterface
    public interface FrameVisitor {
        boolean frame(byte[] block, int offset, int captured, int wireLength, long timestampNanos, int ifindex,
                PacketType type);
    }

    /** How long a warm-up waits for the JIT at most (a loaded machine's compiler thread may lag). */
    static final long WARM_UP_LIMIT_NANOS = 3_000_000_000L;

    private final Netns netns;
    private final String device;
    private final int ifindex;
    private final CaptureFilter filter;
    private final PacketSocket socket;
    private final MappedMemory ring;
    private final PacketRing reader;
    private final int snapLength;
    private final int blockTimeoutMillis;
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
        this.blockTimeoutMillis = options.blockTimeoutMillis();
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
            // With no program of the filter's own, one that keeps every frame cut to the snap
            // length (as libpcap installs): the kernel then copies no more than is kept.
            Optional<BpfProgram> program = filter.bpf(options.snapLength());
            if (program.isEmpty() && options.snapLength() < CaptureOptions.MAX_SNAP) {
                program = Optional.of(BpfProgram.acceptAll(options.snapLength()));
            }
            program.ifPresent(s::attachFilter);
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
     * Like {@link #run(Handler, Duration)} for a {@link FrameVisitor}: frames go to it from the
     * ring's block with no object and no copy each. Needs a filter the kernel runs, or none.
     */
    public long runFrames(FrameVisitor visitor, Duration limit) {
        if (!filter.inKernel() && filter.expr().isPresent()) {
            throw new IllegalStateException("runFrames needs a filter the kernel runs, not \"" + filter + "\"");
        }
        running.lock();
        try {
            long before = delivered;
            if (closed) {
                return 0;
            }
            FrameVisitor v = (block, offset, captured, wire, nanos, ifindex, type) -> {
                delivered++;
                return visitor.frame(block, offset, captured, wire, nanos, ifindex, type) && !stopped;
            };
            loop(() -> reader.drainFrames(v), limit);
            return delivered - before;
        } finally {
            running.unlock();
        }
    }

    /**
     * Runs {@link #record}'s path from ring to file (into /dev/null) over a synthetic ring for a
     * moment, so that the JIT has compiled it before real frames come: a cold JVM meeting a
     * flood interprets and compiles for seconds, at several times the CPU per frame. Frames
     * keep queuing in the real ring meanwhile. Costs some tens of milliseconds of CPU, and waits
     * (up to {@link #WARM_UP_LIMIT_NANOS}) for the compiler thread.
     */
    public void warmUpRecord() {
        try (SyntheticRing s = new SyntheticRing(snapLength, 32);
                PcapSpool spool = PcapSpool.create(Path.of("/dev/null"), s.reader(), snapLength, Long.MAX_VALUE)) {
            JitWarmUp.run(() -> {
                s.refill();
                s.reader().drainRaw(spool);
                awaitFrames(0);
            }, WARM_UP_LIMIT_NANOS);
        }
    }

    /** {@link #warmUpRecord} for {@link #runFrames}' path, with frames of a synthetic ring going to {@code visitor}. */
    public void warmUp(FrameVisitor visitor) {
        try (SyntheticRing s = new SyntheticRing(snapLength, 32)) {
            JitWarmUp.run(() -> {
                s.refill();
                s.reader().drainFrames(visitor);
                awaitFrames(0);
            }, WARM_UP_LIMIT_NANOS);
        }
    }

    /**
     * Writes up to {@code maxFrames} frames to {@code file} as classic pcap (what
     * {@link podnet.linux.packet.pcap.PcapWriter} writes) until then, {@link #stop()},
     * {@link #close()} or {@code limit} (null: none); returns the frames written. After a stop
     * or the limit it waits (up to the block timeout) for the block the kernel was filling, so
     * the file ends with the last frame queued before. With no filter
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
            if (spool.frames() < maxFrames && !closed) {
                drainOpenBlock(spool);
            }
            delivered += spool.frames();
            return spool.frames();
        } finally {
            running.unlock();
        }
    }

    /**
     * After a stop or the time limit: the frames of the block the kernel was filling go to the
     * file too, once its timeout hands it over (tcpdump loses them), so a long block timeout
     * costs nothing at the end of a recording.
     */
    private void drainOpenBlock(PcapSpool spool) {
        long deadline = System.nanoTime() + (blockTimeoutMillis + 50) * 1_000_000L;
        while (reader.openBlockHasFrames()) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                break;
            }
            Poll.poll(socket.fd(), (short) Poll.POLLIN, (int) Math.min(left, POLL_MILLIS));
        }
        reader.drainRaw(spool);
    }

    /** Drains until {@code drainOnce} says stop, {@link #stop()} or the limit; waits for frames in between. */
    private void loop(BooleanSupplier drainOnce, Duration limit) {
        long deadline = limit == null ? Long.MAX_VALUE : System.nanoTime() + limit.toNanos();
        while (!stopped && drainOnce.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            awaitFrames((int) Math.max(1, Math.min(POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(left))));
        }
    }

    /**
     * Waits up to {@code millis} for a block unless one is ready. A method of its own so that
     * the JIT compiles it (the loop around it runs once per capture and would stay interpreted).
     */
    private void awaitFrames(int millis) {
        if (!stopped && !reader.ready()) {
            int revents = Poll.poll(socket.fd(), (short) Poll.POLLIN, millis);
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
