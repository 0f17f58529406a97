package podnet.node.trace;

import java.util.List;
import podnet.node.policy.PolicyDrop;

/**
 * What a trace saw, in time order, whether the destination answered, the packets of the
 * exchange the kernel dropped (with the reason, at the hop last seen), the probe's packets the
 * node's policy table dropped (with the policies), and the diagnosis.
 */
public record TraceResult(Endpoint source, Endpoint destination, Probe probe, List<Hop> hops,
        List<Sighting> sightings, boolean answered, Diagnosis diagnosis, List<KernelDropAt> drops,
        List<PolicyDrop> policyDrops) {

    public TraceResult {
        drops = drops == null ? List.of() : List.copyOf(drops);
        policyDrops = policyDrops == null ? List.of() : List.copyOf(policyDrops);
    }

    /** A result without policy drops (no policy table, or its trace events unavailable). */
    public TraceResult(Endpoint source, Endpoint destination, Probe probe, List<Hop> hops,
            List<Sighting> sightings, boolean answered, Diagnosis diagnosis, List<KernelDropAt> drops) {
        this(source, destination, probe, hops, sightings, answered, diagnosis, drops, List.of());
    }

    /** A result without kernel drop reasons (tracefs unavailable). */
    public TraceResult(Endpoint source, Endpoint destination, Probe probe, List<Hop> hops,
            List<Sighting> sightings, boolean answered, Diagnosis diagnosis) {
        this(source, destination, probe, hops, sightings, answered, diagnosis, List.of());
    }

    /** The furthest hop at which the probe's traffic toward the destination (ARP or request) was seen; 0 if none. */
    public int lastHopReached() {
        return sightings.stream().filter(s -> s.kind() == Sighting.Kind.ARP_REQUEST || s.kind() == Sighting.Kind.REQUEST)
                .mapToInt(s -> s.hop().number()).max().orElse(0);
    }

    public boolean seen(Sighting.Kind kind, int hop) {
        return sightings.stream().anyMatch(s -> s.kind() == kind && s.hop().number() == hop);
    }
}
