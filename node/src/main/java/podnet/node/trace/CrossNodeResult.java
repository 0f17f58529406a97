package podnet.node.trace;

import java.util.List;

/** What a trace between nodes saw, in time order, whether the destination answered, and the diagnosis. */
public record CrossNodeResult(Endpoint source, Endpoint destination, NodePath from, NodePath to, Probe probe, List<Hop> hops,
        List<Sighting> sightings, boolean answered, Diagnosis diagnosis) {

    public boolean seen(Sighting.Kind kind, int hop) {
        return sightings.stream().anyMatch(s -> s.kind() == kind && s.hop().number() == hop);
    }

    /** The furthest hop the probe reached; 0 if none. */
    public int lastHopReached(Sighting.Kind kind) {
        return sightings.stream().filter(s -> s.kind() == kind).mapToInt(s -> s.hop().number()).max().orElse(0);
    }
}
