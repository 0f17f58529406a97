package podnet.node.trace;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import podnet.linux.inet.Cidr;
import podnet.node.policy.PolicyDrop;

/** Prints a trace like the article tells it: the hops, every frame in time order, then the verdict. */
public final class TraceReport {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");

    private TraceReport() {}

    public static void print(TraceResult r, PrintStream out) {
        Endpoint s = r.source(), d = r.destination();
        out.printf("trace %s (%s) -> %s (%s): %s%n", s.label(), Cidr.text(s.ip()), d.label(), Cidr.text(d.ip()),
                r.probe().describe());
        out.println("hops:");
        for (Hop h : r.hops()) {
            out.printf("  %d  %-18s %s, netns %s%n", h.number(), h.device(), h.role(), h.netns().label());
        }
        out.println("frames, in time order:");
        long t0 = r.sightings().isEmpty() ? 0 : r.sightings().getFirst().timestampNanos();
        for (Sighting x : r.sightings()) {
            LocalTime t = LocalTime.ofInstant(java.time.Instant.ofEpochSecond(0, x.timestampNanos()), ZoneId.systemDefault());
            out.printf("  %s +%7.3f ms  hop %d %-16s %-4s %-12s %s%n", TIME.format(t), (x.timestampNanos() - t0) / 1e6,
                    x.hop().number(), x.hop().device(), x.direction().label(), x.kind().text(), x.summary());
        }
        if (r.sightings().isEmpty()) {
            out.println("  (nothing of this exchange was seen on any hop)");
        }
        for (KernelDropAt k : r.drops()) {
            out.printf("  kernel drop after hop %d %s: %s at %s (task %s/%d)%n", k.hop().number(), k.hop().device(),
                    k.drop().reason(), k.drop().location(), k.drop().comm(), k.drop().pid());
        }
        for (PolicyDrop p : r.policyDrops()) {
            out.printf("  policy drop in the node's forward hook (%s %s -> %s): %s%n", p.direction(), Cidr.text(p.source()),
                    Cidr.text(p.destination()), p.byPolicies());
        }
        out.println("what happened:");
        story(r, out);
        Diagnosis g = r.diagnosis();
        if (g.ok()) {
            out.println("result: OK — " + g.reason());
        } else {
            Hop at = r.hops().stream().filter(h -> h.number() == g.hop()).findFirst().orElse(null);
            out.println("result: FAILED — last seen at hop " + r.lastHopReached() + "; broken at hop " + g.hop()
                    + (at == null ? "" : " (" + at.device() + ")") + ": " + g.reason());
        }
    }

    /** The article's four steps, each stated only if the frames show it. */
    private static void story(TraceResult r, PrintStream out) {
        Endpoint s = r.source(), d = r.destination();
        int step = 0;
        if (r.seen(Sighting.Kind.ARP_REQUEST, 1)) {
            out.printf("  %d. %s asks who has %s (ARP request, broadcast)%s%n", ++step, s.label(), Cidr.text(d.ip()),
                    r.seen(Sighting.Kind.ARP_REQUEST, 4) ? "; the bridge floods it to every port, " + d.hostVeth() + " included" : "");
        }
        if (r.seen(Sighting.Kind.ARP_REPLY, 1)) {
            out.printf("  %d. %s answers with its MAC %s; the bridge learns which port each MAC is on%n", ++step, d.label(),
                    d.mac());
        }
        if (r.seen(Sighting.Kind.REQUEST, 5)) {
            out.printf("  %d. the %s crosses %s -> %s -> %s and arrives on %s's %s%n", ++step, r.probe().describe(),
                    s.hostVeth(), r.hops().stream().filter(h -> h.number() == 3).map(Hop::device).findFirst().orElse("?"),
                    d.hostVeth(), d.label(), d.ifname());
        } else if (r.lastHopReached() > 0) {
            out.printf("  %d. the probe's traffic got as far as hop %d and no further%n", ++step, r.lastHopReached());
        }
        if (r.seen(Sighting.Kind.REPLY, 1)) {
            out.printf("  %d. the answer returns the same way; the bridge forwards it straight to the learned port%n", ++step);
        }
        if (step == 0) {
            out.println("  nothing of the exchange was seen");
        }
    }
}
