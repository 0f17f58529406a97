package podnet.node.observe;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A flow as shown to people and programs: who started it (source) and who answered
 * (destination), with pod names where known, when it was seen, packets, bytes and TCP flags
 * each way, the verdict and why.
 *
 * @param id           stable for the flow's lifetime (the UI updates rows by it)
 * @param sent         packets/bytes/flags from source to destination
 * @param replied      the same the other way
 * @param droppedAfter the device the dropped packet was last seen on, or null
 * @param hops         the devices the flow was seen on, in order of first sighting
 * @param dropPolicies the policies that dropped it ({@code ns/name}; empty unless the node's policy
 *                     table dropped it: the policies isolating the side of {@code dropDirection})
 * @param dropDirection egress or ingress (which side's isolation dropped it), or null
 */
public record FlowRecord(String id, String protocol, String source, int sourcePort, String destination,
        int destinationPort, String sourcePod, String destinationPod, Instant firstSeen, Instant lastSeen,
        Direction sent, Direction replied, Verdict verdict, String dropReason, String dropFunction, String droppedAfter,
        String error, List<String> hops, List<String> dropPolicies, String dropDirection) {

    public record Direction(long packets, long bytes, String tcpFlags) {}

    public FlowRecord {
        hops = List.copyOf(hops);
        dropPolicies = dropPolicies == null ? List.of() : List.copyOf(dropPolicies);
    }

    /** A flow no policy dropped. */
    public FlowRecord(String id, String protocol, String source, int sourcePort, String destination,
            int destinationPort, String sourcePod, String destinationPod, Instant firstSeen, Instant lastSeen,
            Direction sent, Direction replied, Verdict verdict, String dropReason, String dropFunction, String droppedAfter,
            String error, List<String> hops) {
        this(id, protocol, source, sourcePort, destination, destinationPort, sourcePod, destinationPod, firstSeen, lastSeen,
                sent, replied, verdict, dropReason, dropFunction, droppedAfter, error, hops, List.of(), null);
    }

    public boolean involves(String pod) {
        return pod.equals(sourcePod) || pod.equals(destinationPod);
    }

    /** {@code 10.244.2.2:40000} (or without the port for protocols that have none). */
    public String sourceText() {
        return endpoint(source, sourcePort);
    }

    public String destinationText() {
        return endpoint(destination, destinationPort);
    }

    private String endpoint(String ip, int port) {
        boolean ports = "tcp".equals(protocol) || "udp".equals(protocol);
        if (!ports) {
            return ip;
        }
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
    }

    /**
     * The verdict with its reason, e.g. {@code DROPPED (NETFILTER_DROP in nft_do_chain)}, or
     * {@code DROPPED by policy x/deny-all (ingress, NETFILTER_DROP in nft_do_chain, after veth…)}.
     */
    public String verdictText() {
        return switch (verdict) {
            case DROPPED -> dropPolicies.isEmpty() && dropDirection == null
                    ? "DROPPED (" + dropReason + " in " + dropFunction + (droppedAfter == null ? "" : ", after " + droppedAfter) + ")"
                    : "DROPPED " + byPolicies() + " (" + dropDirection + (dropReason == null ? "" : ", " + dropReason + " in " + dropFunction)
                            + (droppedAfter == null ? "" : ", after " + droppedAfter) + ")";
            case ERROR -> "ERROR (" + error + ")";
            default -> verdict.name();
        };
    }

    /** {@code by policy x/deny-all} or {@code by policies x/a, x/b}. */
    public String byPolicies() {
        return podnet.node.policy.PolicyDrop.byPolicies(dropPolicies);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("protocol", protocol);
        m.put("source", Map.of("ip", source, "port", sourcePort, "pod", sourcePod == null ? "" : sourcePod));
        m.put("destination", Map.of("ip", destination, "port", destinationPort, "pod", destinationPod == null ? "" : destinationPod));
        m.put("firstSeen", firstSeen.toString());
        m.put("lastSeen", lastSeen.toString());
        m.put("sent", direction(sent));
        m.put("replied", direction(replied));
        m.put("verdict", verdict.name());
        if (dropReason != null || dropDirection != null) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("reason", dropReason);
            d.put("function", dropFunction);
            d.put("lastSeenOn", droppedAfter);
            if (dropDirection != null) {
                d.put("policies", new ArrayList<>(dropPolicies));
                d.put("direction", dropDirection);
            }
            m.put("drop", d);
        }
        if (error != null) {
            m.put("error", error);
        }
        m.put("hops", new ArrayList<>(hops));
        return m;
    }

    private static Map<String, Object> direction(Direction d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("packets", d.packets());
        m.put("bytes", d.bytes());
        m.put("tcpFlags", d.tcpFlags());
        return m;
    }
}
