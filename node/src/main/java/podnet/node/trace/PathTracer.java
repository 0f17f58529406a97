package podnet.node.trace;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import podnet.linux.packet.BackgroundCapture;
import java.util.Set;
import podnet.linux.netlink.BridgePort;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;
import podnet.linux.packet.CapturedPacket;
import podnet.linux.packet.decode.ArpPacket;
import podnet.linux.packet.decode.EthernetFrame;
import podnet.linux.packet.decode.FrameDecoder;
import podnet.linux.packet.decode.Ipv4Packet;
import podnet.linux.packet.decode.Summary;
import podnet.node.observe.TaskNetns;
import podnet.node.policy.PolicyDrop;
import podnet.node.policy.PolicyDropWatch;

/**
 * Captures at once on every hop between two endpoints (source eth0, its host veth, the bridge,
 * the destination's host veth, its eth0), sends one probe from the source, and keeps the frames
 * that belong to the exchange: the ARP for the destination, the request and the answer.
 */
public final class PathTracer {
    private static final long SETTLE_MILLIS = 300;
    private static final long NEIGHBOUR_GRACE_NANOS = 3_600_000_000L, CATCH_UP_NANOS = 200_000_000L;

    private PathTracer() {}

    /** The hops of the path; the node's hops are left out where no veth or bridge was found. */
    public static List<Hop> hops(Endpoint src, Endpoint dst) {
        List<Hop> hops = new ArrayList<>();
        hops.add(new Hop(1, src.label() + " " + src.ifname(), src.netns(), src.ifname()));
        if (src.hostVeth() != null) {
            hops.add(new Hop(2, "host end of " + src.label() + "'s veth", src.node(), src.hostVeth()));
        }
        String bridge = src.bridge() != null ? src.bridge() : dst.bridge();
        if (bridge != null) {
            hops.add(new Hop(3, "bridge", src.node(), bridge));
        }
        if (dst.hostVeth() != null) {
            hops.add(new Hop(4, "host end of " + dst.label() + "'s veth", dst.node(), dst.hostVeth()));
        }
        hops.add(new Hop(5, dst.label() + " " + dst.ifname(), dst.netns(), dst.ifname()));
        return hops;
    }

    public static TraceResult trace(Endpoint src, Endpoint dst, Probe probe) {
        return trace(src, dst, probe, new CountDownLatch(1));
    }

    /**
     * As {@link #trace(Endpoint, Endpoint, Probe)}; {@code stop} counted down (a stop signal)
     * ends the wait for the probe's answer at once, and the result holds what was seen so far.
     */
    public static TraceResult trace(Endpoint src, Endpoint dst, Probe probe, CountDownLatch stop) {
        if (src.ip() == null || dst.ip() == null) {
            throw new IllegalArgumentException("both ends need an IPv4 address (" + src.label() + ": " + src.ip()
                    + ", " + dst.label() + ": " + dst.ip() + ")");
        }
        List<Hop> hops = hops(src, dst);
        List<Sighting> seen = Collections.synchronizedList(new ArrayList<>());
        List<BackgroundCapture> captures = new ArrayList<>();
        boolean answered;
        List<KernelDropAt> dropped = List.of();
        TraceDrops drops = TraceDrops.start();
        List<PolicyDrop> policyDrops = new CopyOnWriteArrayList<>();
        PolicyDropWatch policy = policyWatch(src, dst, policyDrops);
        Set<Long> ours = new HashSet<>();
        for (Netns ns : List.of(src.netns(), dst.netns(), src.node(), dst.node())) {
            ours.add(TaskNetns.inodeOf(ns));
        }
        try {
            for (Hop hop : hops) {
                try {
                    captures.add(BackgroundCapture.start(hop.netns(), hop.device(), "trace-" + hop.device(), p -> {
                        Sighting s = classify(hop, p, src.ip(), dst.ip());
                        if (s != null) {
                            seen.add(s);
                        }
                    }));
                } catch (RuntimeException e) {
                    continue; // a missing hop is itself a finding; the diagnosis looks at live state
                }
            }
            long sent = System.nanoTime();
            answered = sendUnlessStopped(probe, src, dst, stop);
            await(stop, SETTLE_MILLIS);
            if (!answered && drops.active()) {
                // Most drops follow their packet within microseconds; a failed neighbour lookup
                // drops the queued packet only when the ARP retries run out (3 s by default).
                boolean unresolved = has(seen, Sighting.Kind.ARP_REQUEST) && !has(seen, Sighting.Kind.ARP_REPLY);
                long until = unresolved ? sent + NEIGHBOUR_GRACE_NANOS : System.nanoTime() + CATCH_UP_NANOS;
                while (System.nanoTime() < until && stop.getCount() > 0 && policyDrops.isEmpty()
                        && drops.attribute(List.copyOf(seen), ours, true).isEmpty()) {
                    await(stop, 50);
                }
                await(stop, CATCH_UP_NANOS / 1_000_000); // the trace pipe's reader may be a poll behind
            }
            dropped = drops.attribute(List.copyOf(seen), ours, portBlocked(src, dst));
        } finally {
            drops.close();
            if (policy != null) {
                policy.close();
            }
            captures.forEach(BackgroundCapture::stop); // all at once, then wait for each
            captures.forEach(BackgroundCapture::close);
        }
        List<Sighting> ordered = new ArrayList<>(seen);
        ordered.sort(Comparator.comparingLong(Sighting::timestampNanos).thenComparingInt(s -> s.hop().number()));
        List<PolicyDrop> ofProbe = probeDrops(policyDrops);
        TraceResult partial = new TraceResult(src, dst, probe, hops, ordered, answered, null, dropped, ofProbe);
        return new TraceResult(src, dst, probe, hops, ordered, answered, Diagnosis.of(partial), dropped, ofProbe);
    }

    /**
     * Listens for the packets the node's policy table drops during the trace (null when it
     * cannot: then the kernel's drop reason alone says NETFILTER_DROP).
     */
    private static PolicyDropWatch policyWatch(Endpoint src, Endpoint dst, List<PolicyDrop> into) {
        try {
            return PolicyDropWatch.start(src.node(), d -> {
                if (d.between(src.ip(), dst.ip()) || d.between(dst.ip(), src.ip())) {
                    into.add(d);
                }
            });
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** One per direction and set of policies: a retransmitted probe is dropped again the same way. */
    private static List<PolicyDrop> probeDrops(List<PolicyDrop> all) {
        List<PolicyDrop> out = new ArrayList<>();
        for (PolicyDrop d : all) {
            if (out.stream().noneMatch(o -> o.source().equals(d.source()) && o.direction().equals(d.direction())
                    && o.policies().equals(d.policies()))) {
                out.add(d);
            }
        }
        return out;
    }

    /**
     * Captures on every hop at once while {@code send} runs, and returns what {@code classify}
     * kept, in time order (the cross-node tracer's hops run through tunnels and underlays). A hop
     * that cannot be captured on is skipped: its absence is itself a finding for the diagnosis.
     */
    static List<Sighting> watch(List<Hop> hops, BiFunction<Hop, CapturedPacket, Sighting> classify, Runnable send) {
        List<Sighting> seen = Collections.synchronizedList(new ArrayList<>());
        List<BackgroundCapture> captures = new ArrayList<>();
        try {
            for (Hop hop : hops) {
                try {
                    captures.add(BackgroundCapture.start(hop.netns(), hop.device(), "trace-" + hop.device(), p -> {
                        Sighting s = classify.apply(hop, p);
                        if (s != null) {
                            seen.add(s);
                        }
                    }));
                } catch (RuntimeException e) {
                    continue;
                }
            }
            send.run();
            await(new CountDownLatch(1), SETTLE_MILLIS);
        } finally {
            captures.forEach(BackgroundCapture::stop);
            captures.forEach(BackgroundCapture::close);
        }
        List<Sighting> ordered = new ArrayList<>(seen);
        ordered.sort(Comparator.comparingLong(Sighting::timestampNanos).thenComparingInt(s -> s.hop().number()));
        return ordered;
    }

    /** The frame's part in the exchange between {@code a} and {@code b}, or null if it is not part of it. */
    static Sighting classify(Hop hop, CapturedPacket p, InetAddress a, InetAddress b) {
        EthernetFrame f = FrameDecoder.decode(p.data(), p.wireLength());
        Sighting.Kind kind = null;
        if (f.payload() instanceof ArpPacket arp) {
            if (arp.operation() == ArpPacket.REQUEST && b.equals(arp.targetIp()) && a.equals(arp.senderIp())) {
                kind = Sighting.Kind.ARP_REQUEST;
            } else if (arp.operation() == ArpPacket.REPLY && b.equals(arp.senderIp()) && a.equals(arp.targetIp())) {
                kind = Sighting.Kind.ARP_REPLY;
            }
        } else if (f.payload() instanceof Ipv4Packet ip) {
            if (a.equals(ip.source()) && b.equals(ip.destination())) {
                kind = Sighting.Kind.REQUEST;
            } else if (b.equals(ip.source()) && a.equals(ip.destination())) {
                kind = Sighting.Kind.REPLY;
            }
        }
        return kind == null ? null : new Sighting(hop, p.timestampNanos(), p.type(), kind, Summary.of(f));
    }

    /** Whether either host veth is a bridge port that is not forwarding (STP), as the kernel may then say. */
    private static boolean portBlocked(Endpoint src, Endpoint dst) {
        try (NetlinkHandle h = NetlinkHandle.open(src.node())) {
            for (String veth : new String[] {src.hostVeth(), dst.hostVeth()}) {
                BridgePort p = veth == null ? null : h.links().get(veth).map(Link::port).orElse(null);
                if (p != null && p.state() != BridgePort.STATE_FORWARDING) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException e) {
            return true; // cannot tell: let the kernel's word stand
        }
    }

    private static boolean has(List<Sighting> seen, Sighting.Kind kind) {
        synchronized (seen) {
            return seen.stream().anyMatch(s -> s.kind() == kind);
        }
    }

    /** The probe runs on its own thread, so that a stop does not wait for its timeout. */
    private static boolean sendUnlessStopped(Probe probe, Endpoint src, Endpoint dst, CountDownLatch stop) {
        CompletableFuture<Boolean> sent = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("trace-probe").start(() -> {
            try {
                sent.complete(probe.send(src, dst));
            } catch (Throwable t) {
                sent.completeExceptionally(t);
            }
        });
        while (stop.getCount() > 0) {
            try {
                return sent.get(50, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // look at the stop latch again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
        return sent.getNow(false);
    }

    private static void await(CountDownLatch stop, long ms) {
        try {
            stop.await(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
