package podnet.node.trace;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import podnet.linux.tracefs.SkbDrop;
import podnet.linux.tracefs.SkbDropWatch;
import podnet.node.observe.DropMatcher;
import podnet.node.observe.TaskNetns;

/**
 * The kernel's drops during one trace, tied to the hop where the dropped packet was last seen
 * (the rules are {@link DropMatcher}'s). Without tracefs (not root, an old kernel) it quietly
 * reports nothing and the diagnosis falls back to what the captures and live state show.
 */
final class TraceDrops implements AutoCloseable {
    /** What a traced path is made of: veth pairs and a bridge. */
    private static final Set<String> PATH_KINDS = Set.of("veth", "bridge");

    private final List<SkbDrop> drops = new CopyOnWriteArrayList<>();
    private final SkbDropWatch watch;

    private TraceDrops() {
        SkbDropWatch w;
        try {
            w = SkbDropWatch.start(DropMatcher.ROUTINE, drops::add);
        } catch (RuntimeException e) {
            w = null;
        }
        this.watch = w;
    }

    static TraceDrops start() {
        return new TraceDrops();
    }

    boolean active() {
        return watch != null;
    }

    /**
     * The drops that fit a sighting of the exchange, each at its hop; those of namespaces not
     * ours are left out, and so is an STP-state drop when no port of the path is blocked.
     */
    List<KernelDropAt> attribute(List<Sighting> sightings, Set<Long> ours, boolean portBlocked) {
        List<KernelDropAt> out = new ArrayList<>();
        TaskNetns tasks = new TaskNetns();
        for (SkbDrop d : drops) {
            if (DropMatcher.foreign(d, tasks, ours) || DropMatcher.stpReason(d.reason()) && !portBlocked
                    || !DropMatcher.plausibleOn(d, PATH_KINDS)) {
                continue;
            }
            Sighting at = atHop(d, sightings);
            if (at != null && out.stream().noneMatch(k -> k.hop().number() == at.hop().number()
                    && k.drop().reason().equals(d.reason()))) {
                out.add(new KernelDropAt(at.hop(), d));
            }
        }
        // Where the exchange stopped first explains the rest; among equals, a neighbour failure
        // (it explains a missing ARP answer) before anything else.
        out.sort(Comparator.comparingInt((KernelDropAt k) -> k.hop().number())
                .thenComparing(k -> !DropMatcher.neighbourReason(k.drop().reason())));
        return out;
    }

    /**
     * The sighting {@code d} follows: the newest fitting one; for a neighbour failure the ARP
     * request nearest the source, since the asking namespace is the one that drops.
     */
    private static Sighting atHop(SkbDrop d, List<Sighting> sightings) {
        boolean bridge = d.function().startsWith("br_"); // the bridge drops only in the node's namespace
        List<Sighting> fitting = sightings.stream().filter(s -> !bridge || s.hop().number() >= 2 && s.hop().number() <= 4)
                .filter(s -> DropMatcher.fits(d, s.timestampNanos(),
                s.kind() == Sighting.Kind.ARP_REQUEST || s.kind() == Sighting.Kind.ARP_REPLY ? 0x0806 : 0x0800,
                s.kind() == Sighting.Kind.ARP_REQUEST)).toList();
        if (fitting.isEmpty()) {
            return null;
        }
        Comparator<Sighting> order = DropMatcher.neighbourReason(d.reason())
                ? Comparator.comparingInt((Sighting s) -> -s.hop().number())
                : Comparator.comparingLong(Sighting::timestampNanos);
        return fitting.stream().max(order).orElseThrow();
    }

    /** Whether any drop arrived so far (the tracer waits a little for one when the probe failed). */
    boolean any() {
        return !drops.isEmpty();
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
    }
}
