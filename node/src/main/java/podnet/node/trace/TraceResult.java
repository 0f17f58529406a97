package podnet.node.trace;

import java.util.List;

/** What a trace saw, in time order, whether the destination answered, and the diagnosis. */
public record TraceResult(Endpoint source, Endpoint destination, Probe probe, List<Hop> hops,
        List<Sighting> sightings, boolean answered, Diagnosis diagnosis) {

    /** The furthest hop at which the probe's traffic toward the destination (ARP or request) was seen; 0 if none. */
    public int lastHopReached() {
        return sightings.stream().filter(s -> s.kind() == Sighting.Kind.ARP_REQUEST || s.kind() == Sighting.Kind.REQUEST)
                .mapToInt(s -> s.hop().number()).max().orElse(0);
    }

    public boolean seen(Sighting.Kind kind, int hop) {
        return sightings.stream().anyMatch(s -> s.kind() == kind && s.hop().number() == hop);
    }
}
