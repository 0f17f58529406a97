package podnet.node.observe;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkEvent;
import podnet.linux.netlink.NetlinkEvents;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Neighbour;
import podnet.linux.ns.Netns;
import podnet.linux.packet.Capture;
import podnet.linux.packet.CaptureOptions;
import podnet.linux.packet.PacketType;
import podnet.linux.packet.filter.CaptureFilter;
import podnet.linux.tracefs.SkbDrop;
import podnet.linux.tracefs.SkbDropWatch;
import podnet.node.policy.PolicyDrop;
import podnet.node.policy.PolicyDropWatch;

/**
 * Watches a node's pod network: one AF_PACKET capture on every interface of the node
 * namespace (the bridge, its ports, the uplink) feeds a bounded {@link FlowTable}; the
 * {@code kfree_skb} tracepoint (through {@link SkbDropWatch}) marks flows the kernel dropped,
 * with its reason; the node's nftables trace events name the policies that dropped a flow
 * ({@link PolicyDropWatch}); link notifications keep device and pod names current. Five threads
 * of its own; {@link #close()} stops them and removes the trace instance.
 */
public final class Observer implements AutoCloseable {
    /**
     * @param maxFlows    flows kept at most (the least recently active is evicted beyond)
     * @param idleExpiry  flows idle this long are forgotten
     * @param kernelDrops whether to read kernel drop reasons (needs tracefs)
     */
    public record Options(Netns node, Path stateDir, int maxFlows, Duration idleExpiry, boolean kernelDrops) {
        public static Options of(Netns node, Path stateDir) {
            return new Options(node, stateDir, 100_000, Duration.ofMinutes(5), true);
        }

        public Options withMaxFlows(int n) {
            return new Options(node, stateDir, n, idleExpiry, kernelDrops);
        }

        public Options withKernelDrops(boolean on) {
            return new Options(node, stateDir, maxFlows, idleExpiry, on);
        }
    }

    /** Changed flows since a tick, and the tick to ask from next time. */
    public record Changes(long tick, List<FlowRecord> flows) {}

    /** Headers only: enough for ICMP errors quoting an IPv6 header plus options. */
    static final int SNAP_LENGTH = 192;
    /**
     * 32 MiB of ring (capture's default is 8): the flow table costs more per frame than writing
     * a pcap, so the ring must ride out longer stalls of a busy machine (~250k small frames).
     */
    static final int RING_BLOCKS = 32;

    private final Options options;
    private final Object lock = new Object();
    private final FlowTable table;
    private final RecentSightings sightings = new RecentSightings(8192);
    private final NodeLinks links;
    private final PodDirectory pods;
    private final TaskNetns tasks = new TaskNetns();
    private final Capture capture;
    private final FrameParser parser = new FrameParser();
    private final NetlinkEvents linkEvents;
    private final List<Thread> threads = new ArrayList<>();
    private volatile Set<Long> ourNamespaces = Set.of();
    private volatile boolean stopped;
    private final java.util.concurrent.BlockingQueue<SkbDrop> pendingDrops = new java.util.concurrent.LinkedBlockingQueue<>(100_000);
    /** Longer than the ring's block timeout (20 ms), with room for a busy capture thread. */
    private static final long CATCH_UP_NANOS = 150_000_000L;
    private SkbDropWatch drops;
    private String dropsUnavailable;
    private PolicyDropWatch policyDrops;
    private String policyDropsUnavailable;
    private final BlockingQueue<PolicyDrop> pendingPolicyDrops = new LinkedBlockingQueue<>(100_000);
    private long frames, otherFrames, expired, lastExpiryNanos;
    private volatile long kernelDrops, dropsAttributed, dropsForeign;

    private Observer(Options o, Capture capture, NetlinkEvents linkEvents, NodeLinks links) {
        this.options = o;
        this.table = new FlowTable(o.maxFlows());
        this.capture = capture;
        this.linkEvents = linkEvents;
        this.links = links;
        this.pods = new PodDirectory(o.stateDir());
    }

    /** Starts observing; frames are counted from the moment this returns. */
    public static Observer start(Options o) {
        if (!o.node().exists()) {
            throw new IllegalArgumentException("no network namespace " + o.node().label());
        }
        NetlinkEvents events = NetlinkEvents.open(o.node(), EnumSet.of(NetlinkEvents.Kind.LINK)); // before the dump: no change missed
        Capture capture = null;
        try {
            NodeLinks links = new NodeLinks(o.node());
            links.refresh();
            capture = Capture.open(o.node(), Capture.ANY, CaptureFilter.ALL,
                    CaptureOptions.defaults().withSnapLength(SNAP_LENGTH).withRing(1 << 20, RING_BLOCKS));
            Observer obs = new Observer(o, capture, events, links);
            obs.refreshNamespaces();
            if (o.kernelDrops()) {
                try {
                    obs.drops = SkbDropWatch.start(DropMatcher.ROUTINE, obs::onDrop);
                } catch (RuntimeException e) {
                    obs.dropsUnavailable = e.getMessage();
                }
            } else {
                obs.dropsUnavailable = "turned off";
            }
            try {
                obs.policyDrops = PolicyDropWatch.start(o.node(), obs::onPolicyDrop);
            } catch (RuntimeException e) {
                obs.policyDropsUnavailable = e.getMessage();
            }
            obs.startThreads();
            return obs;
        } catch (RuntimeException e) {
            if (capture != null) {
                capture.close();
            }
            events.close();
            throw e;
        }
    }

    private void startThreads() {
        // Frames are parsed where they lie in the ring block's copy: no object and no copy of
        // the bytes per frame, only the headers' record (and a key for a new flow).
        threads.add(Thread.ofPlatform().name("podnet-observe-capture").start(() -> capture.runFrames(this::onFrame, null)));
        threads.add(Thread.ofPlatform().daemon().name("podnet-observe-links").start(this::followLinks));
        threads.add(Thread.ofPlatform().daemon().name("podnet-observe-drops").start(this::matchDrops));
        threads.add(Thread.ofPlatform().daemon().name("podnet-observe-policy").start(this::matchPolicyDrops));
    }

    // ---- frames -------------------------------------------------------------------------

    private boolean onFrame(byte[] block, int offset, int captured, int wireLength, long t, int dev, PacketType type) {
        frames++;
        if (links.isLoopback(dev)) {
            return !stopped;
        }
        FrameParser h = parser; // only this (the capture) thread parses
        if (!h.parse(block, offset, captured, wireLength)) {
            otherFrames++;
            return !stopped;
        }
        boolean out = type.isOutgoing();
        Flow f;
        boolean firstThisWay = false;
        synchronized (lock) {
            Flow quoted = h.quoted == null ? null : table.get(h.quoted);
            if (quoted != null) {
                // An ICMP error about a flow we know: it is that flow's answer, not a flow of its own.
                quoted.error(IcmpErrors.describe(h.headers()) + " from " + Cidr.text(source(h.key(), h.fromA)));
                table.changed(quoted);
                return !stopped;
            }
            f = table.see(h, dev, out, t);
            firstThisWay = (h.fromA ? f.packetsAB : f.packetsBA) == 1 && !out; // this direction's first packet, in from a port
            if (h.quoted != null) {
                f.error(IcmpErrors.describe(h.headers()));
            } else if ((h.tcpFlags & TcpFlags.RST) != 0) {
                f.error("TCP RST from " + Cidr.text(source(f.key, h.fromA)));
            }
            sightings.add(t, h.etherType, h.arpRequest, f, h.fromA, dev);
            if (t - lastExpiryNanos > 1_000_000_000L) {
                lastExpiryNanos = t;
                expired += table.expire(t - options.idleExpiry().toNanos());
            }
        }
        if (firstThisWay) {
            String source = Cidr.text(source(f.key, h.fromA));
            links.peerOf(dev).ifPresent(ns -> pods.learn(source, ns.label()));
        }
        return !stopped;
    }

    private static InetAddress source(FlowKey key, boolean fromA) {
        return fromA ? key.a() : key.b();
    }

    // ---- kernel drops ---------------------------------------------------------------------

    private void onDrop(SkbDrop d) {
        kernelDrops++;
        pendingDrops.offer(d); // full only if matching fell far behind: then drops go unattributed
    }

    /**
     * Matches queued drops once the capture has surely caught up with them: the ring hands
     * over a block only when it is full or its timeout passed, so the frames a drop follows may
     * reach us after the drop itself.
     */
    private void matchDrops() {
        while (!stopped) {
            SkbDrop d;
            try {
                d = pendingDrops.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (d == null) {
                continue;
            }
            long wait = (d.timeNanos() + CATCH_UP_NANOS - wallNanos()) / 1_000_000;
            if (wait > 0) {
                sleep(Math.min(wait, CATCH_UP_NANOS / 1_000_000));
            }
            match(d);
        }
    }

    private static long wallNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private void match(SkbDrop d) {
        if (DropMatcher.foreign(d, tasks, ourNamespaces) || !DropMatcher.plausibleOn(d, links.kinds())) {
            dropsForeign++;
            return;
        }
        boolean neighbour = DropMatcher.neighbourReason(d.reason());
        RecentSightings.Match m;
        synchronized (lock) {
            m = sightings.match(d, c -> !neighbour || unanswered(c));
        }
        if (m == null) {
            return;
        }
        // A neighbour failure happens in the namespace that asked: where its request entered.
        int entry = m.fromA() ? m.flow().entryAB : m.flow().entryBA;
        int dev = neighbour && entry >= 0 ? entry / 2 : m.ifindex();
        if (neighbour && !neighbourFailed(m, dev) || DropMatcher.stpReason(d.reason()) && !portBlocked()) {
            return;
        }
        synchronized (lock) {
            m.flow().dropped(new KernelDrop(d.timeNanos(), d.reason(), d.function(), links.name(dev)));
            table.changed(m.flow());
            dropsAttributed++;
        }
    }

    /** An ARP request that was never answered (its flow has nothing the other way). */
    private static boolean unanswered(RecentSightings.Match m) {
        Flow f = m.flow();
        return m.fromA() ? f.packetsBA == 0 : f.packetsAB == 0;
    }

    /**
     * Confirms a neighbour drop where we can: the asking pod's own table must show the address
     * it asked for as failed (or still incomplete). Elsewhere the match stands on timing alone.
     */
    private boolean neighbourFailed(RecentSightings.Match m, int askerPort) {
        Optional<Netns> pod = links.peerOf(askerPort);
        if (pod.isEmpty() || m.flow().key.family() != FlowKey.ARP) {
            return true;
        }
        InetAddress target = m.fromA() ? m.flow().key.b() : m.flow().key.a();
        try (NetlinkHandle h = NetlinkHandle.open(pod.get())) {
            return h.neighbours().list(0).stream().filter(n -> target.equals(n.ip()))
                    .anyMatch(n -> (n.state() & (Neighbour.NUD_FAILED | Neighbour.NUD_INCOMPLETE)) != 0);
        } catch (RuntimeException e) {
            return true; // the pod is gone: nothing to contradict the timing
        }
    }

    /** Whether some bridge port of the node is not forwarding (so an STP-state drop can be ours). */
    private boolean portBlocked() {
        try (NetlinkHandle h = NetlinkHandle.open(options.node())) {
            return h.links().list().stream().map(podnet.linux.netlink.Link::port)
                    .anyMatch(p -> p != null && p.state() != podnet.linux.netlink.BridgePort.STATE_FORWARDING);
        } catch (RuntimeException e) {
            return true;
        }
    }

    // ---- policy drops ---------------------------------------------------------------------

    private void onPolicyDrop(PolicyDrop d) {
        pendingPolicyDrops.offer(d); // full only if matching fell far behind: then the drop stays unnamed
    }

    /**
     * Names the policies on the flows they dropped. The trace event carries the packet's own
     * addresses and ports, so the flow is found by its key; it waits as kernel drops do, for the
     * capture to have seen the packet.
     */
    private void matchPolicyDrops() {
        while (!stopped) {
            PolicyDrop d;
            try {
                d = pendingPolicyDrops.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (d == null) {
                continue;
            }
            long wait = (d.timeNanos() + CATCH_UP_NANOS - System.nanoTime()) / 1_000_000;
            if (wait > 0) {
                sleep(Math.min(wait, CATCH_UP_NANOS / 1_000_000));
            }
            FlowKey key = FlowKey.of(4, d.protocol(), 0, ipv4(d.source()), d.sourcePort(), 0, ipv4(d.destination()),
                    d.destinationPort());
            synchronized (lock) {
                Flow f = table.get(key);
                if (f != null) {
                    f.policyDropped(d.direction(), d.policies());
                    if (f.drop == null && d.iif() > 0) {
                        f.policyDropSeenOn = links.name(d.iif());
                    }
                    table.changed(f);
                }
            }
        }
    }

    private static long ipv4(InetAddress a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xffL) << 24 | (b[1] & 0xffL) << 16 | (b[2] & 0xffL) << 8 | b[3] & 0xffL;
    }

    /** Why policy drops cannot be named, if they cannot. */
    public Optional<String> policyDropsUnavailable() {
        return Optional.ofNullable(policyDropsUnavailable);
    }

    // ---- links ----------------------------------------------------------------------------

    private void followLinks() {
        while (!stopped) {
            try {
                List<NetlinkEvent> events = linkEvents.next(200);
                for (NetlinkEvent e : events) {
                    if (e instanceof NetlinkEvent.LinkChanged lc) {
                        links.changed(lc.link(), lc.removed());
                    } else if (e instanceof NetlinkEvent.Overflow) {
                        links.refresh();
                    }
                }
                if (!events.isEmpty()) {
                    refreshNamespaces();
                }
            } catch (RuntimeException e) {
                if (!stopped) {
                    sleep(200); // the node namespace is going away; names stay as they were
                }
            }
        }
    }

    /** The node namespace and every namespace behind one of its veths: where our packets live. */
    private void refreshNamespaces() {
        Set<Long> ours = new HashSet<>();
        ours.add(TaskNetns.inodeOf(options.node()));
        for (NodeLinks.Info i : links.all()) {
            if (i.peer() != null) {
                ours.add(TaskNetns.inodeOf(i.peer()));
            }
        }
        ours.remove(0L);
        ourNamespaces = Set.copyOf(ours);
    }

    // ---- reading --------------------------------------------------------------------------

    /** Up to {@code limit} flows, most recently active first. */
    public List<FlowRecord> flows(int limit) {
        List<Flow> fs;
        synchronized (lock) {
            fs = new ArrayList<>();
            for (Flow f : table.newestFirst(limit)) {
                fs.add(f);
            }
            return fs.stream().map(this::record).toList();
        }
    }

    /** The flows that changed after {@code tick} (0: all), and the tick to pass next time. */
    public Changes changesSince(long tick) {
        synchronized (lock) {
            List<FlowRecord> out = table.changedSince(tick).stream().map(this::record).toList();
            return new Changes(table.ticks(), out);
        }
    }

    public ObserverStats stats() {
        long ring;
        try {
            ring = capture.stats().dropped();
        } catch (RuntimeException e) {
            ring = -1;
        }
        synchronized (lock) {
            return new ObserverStats(frames, otherFrames, ring, table.size(), table.evicted(), expired, kernelDrops,
                    dropsAttributed, dropsForeign, dropsUnavailable);
        }
    }

    /** Why kernel drop reasons are not available, if they are not. */
    public Optional<String> dropsUnavailable() {
        return Optional.ofNullable(dropsUnavailable);
    }

    public Netns node() {
        return options.node();
    }

    /** The name of the pod with address {@code ip}, if known. */
    public Optional<String> podOf(InetAddress ip) {
        return Optional.ofNullable(pods.podOf(Cidr.text(ip)));
    }

    private FlowRecord record(Flow f) {
        FlowKey k = f.key;
        InetAddress a = k.a(), b = k.b();
        String at = Cidr.text(a), bt = Cidr.text(b);
        boolean aSrc = f.aStarted;
        FlowRecord.Direction ab = new FlowRecord.Direction(f.packetsAB, f.bytesAB, TcpFlags.text(f.flagsAB));
        FlowRecord.Direction ba = new FlowRecord.Direction(f.packetsBA, f.bytesBA, TcpFlags.text(f.flagsBA));
        List<String> hops = new ArrayList<>(f.hopCount);
        for (int i = 0; i < f.hopCount; i++) {
            hops.add(links.name(f.hops[i]));
        }
        String id = k.protocolName() + " " + at + ":" + k.aPort() + " " + bt + ":" + k.bPort();
        KernelDrop d = f.drop;
        return new FlowRecord(id, k.protocolName(), aSrc ? at : bt, aSrc ? k.aPort() : k.bPort(), aSrc ? bt : at,
                aSrc ? k.bPort() : k.aPort(), pods.podOf(aSrc ? at : bt), pods.podOf(aSrc ? bt : at),
                instant(f.firstNanos), instant(f.lastNanos), aSrc ? ab : ba, aSrc ? ba : ab, f.verdict,
                d == null ? null : d.reason(), d == null ? null : d.function(), d == null ? f.policyDropSeenOn : d.lastSeenOn(),
                f.error, hops, f.dropPolicies, f.dropDirection);
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the threads, closes the capture and removes the trace instance. */
    @Override
    public void close() {
        stopped = true;
        capture.stop();
        for (Thread t : threads) {
            try {
                t.join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            capture.close();
            linkEvents.close();
        } finally {
            if (drops != null) {
                drops.close();
            }
            if (policyDrops != null) {
                policyDrops.close();
            }
        }
    }
}
