package podnet.node.trace;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import podnet.linux.inet.Cidr;

/** Prints a trace between nodes: the hops on both nodes and the underlay, every frame (outer and inner), the verdict. */
public final class CrossNodeReport {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");

    private CrossNodeReport() {}

    public static void print(CrossNodeResult r, PrintStream out) {
        Endpoint s = r.source(), d = r.destination();
        out.printf("trace %s (%s) on %s -> %s (%s) on %s: %s, %s%n", s.label(), Cidr.text(s.ip()), r.from().label(),
                d.label(), Cidr.text(d.ip()), r.to().label(), r.probe().describe(),
                r.from().vxlan() ? "vxlan (UDP 8472)" : "host-gw (routed)");
        out.println("hops:");
        for (Hop h : r.hops()) {
            out.printf("  %2d  %-14s %s, netns %s%n", h.number(), h.device(), h.role(), h.netns().label());
        }
        out.println("frames, in time order:");
        long t0 = r.sightings().isEmpty() ? 0 : r.sightings().getFirst().timestampNanos();
        for (Sighting x : r.sightings()) {
            LocalTime t = LocalTime.ofInstant(java.time.Instant.ofEpochSecond(0, x.timestampNanos()), ZoneId.systemDefault());
            String[] lines = x.summary().split("\n");
            out.printf("  %s +%7.3f ms  hop %2d %-12s %-4s %-7s %s%n", TIME.format(t), (x.timestampNanos() - t0) / 1e6,
                    x.hop().number(), x.hop().device(), x.direction().label(), x.kind().text(), lines[0]);
            for (int i = 1; i < lines.length; i++) {
                out.printf("  %60s inner: %s%n", "", lines[i]);
            }
        }
        if (r.sightings().isEmpty()) {
            out.println("  (nothing of this exchange was seen on any hop)");
        }
        Diagnosis g = r.diagnosis();
        if (g.ok()) {
            out.println("result: OK — " + g.reason());
        } else {
            Hop at = r.hops().stream().filter(h -> h.number() == g.hop()).findFirst().orElse(null);
            out.println("result: FAILED at hop " + g.hop() + (at == null ? "" : " (" + at.device() + ", " + at.role() + ")")
                    + ": " + g.reason());
        }
    }
}
