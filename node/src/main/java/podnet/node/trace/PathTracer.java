package podnet.node.trace;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import podnet.linux.packet.Capture;
import podnet.linux.packet.CaptureOptions;
import podnet.linux.packet.CapturedPacket;
import podnet.linux.packet.decode.ArpPacket;
import podnet.linux.packet.decode.EthernetFrame;
import podnet.linux.packet.decode.FrameDecoder;
import podnet.linux.packet.decode.Ipv4Packet;
import podnet.linux.packet.decode.Summary;
import podnet.linux.packet.filter.CaptureFilter;

/**
 * Captures at once on every hop between two endpoints (source eth0, its host veth, the bridge,
 * the destination's host veth, its eth0), sends one probe from the source, and keeps the frames
 * that belong to the exchange: the ARP for the destination, the request and the answer.
 */
public final class PathTracer {
    private static final long SETTLE_MILLIS = 300;

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
        List<Capture> captures = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        boolean answered;
        try {
            for (Hop hop : hops) {
                Capture c;
                try {
                    c = Capture.open(hop.netns(), hop.device(), CaptureFilter.ALL, CaptureOptions.defaults());
                } catch (RuntimeException e) {
                    continue; // a missing hop is itself a finding; the diagnosis looks at live state
                }
                captures.add(c);
                readers.add(Thread.ofPlatform().name("trace-" + hop.device()).start(() -> c.run(p -> {
                    Sighting s = classify(hop, p, src.ip(), dst.ip());
                    if (s != null) {
                        seen.add(s);
                    }
                    return true;
                })));
            }
            answered = sendUnlessStopped(probe, src, dst, stop);
            await(stop, SETTLE_MILLIS);
        } finally {
            captures.forEach(Capture::stop);
            for (Thread t : readers) {
                try {
                    t.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            captures.forEach(Capture::close);
        }
        List<Sighting> ordered = new ArrayList<>(seen);
        ordered.sort(Comparator.comparingLong(Sighting::timestampNanos).thenComparingInt(s -> s.hop().number()));
        TraceResult partial = new TraceResult(src, dst, probe, hops, ordered, answered, null);
        return new TraceResult(src, dst, probe, hops, ordered, answered, Diagnosis.of(partial));
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
