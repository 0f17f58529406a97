package podnet.node.observe;

/**
 * One flow's live counters in the {@link FlowTable}: written by the capture thread under the
 * table's lock, read as {@link FlowRecord} snapshots. Each direction (A→B, B→A) counts its
 * packets where it first entered the node (its entry device and way), so a packet forwarded
 * across the bridge is counted once however many ports saw it; sightings elsewhere mean it
 * left, i.e. was forwarded.
 */
final class Flow {
    static final int MAX_HOPS = 6;

    final FlowKey key;
    /** Whether end A started it (the first packet seen went A→B). */
    final boolean aStarted;
    final long firstNanos;
    long lastNanos;
    long packetsAB, packetsBA, bytesAB, bytesBA;
    int flagsAB, flagsBA;
    /** Entry point per direction: ifindex * 2 + (outgoing ? 1 : 0); -1 until seen. */
    int entryAB = -1, entryBA = -1;
    boolean leftAB, leftBA;
    /** Devices (ifindexes) it was seen on, in order of first sighting. */
    final int[] hops = new int[MAX_HOPS];
    int hopCount;
    Verdict verdict = Verdict.SEEN;
    KernelDrop drop;
    /** The policies that dropped it and their direction, when the node's policy table did (else null). */
    java.util.List<String> dropPolicies;
    String dropDirection;
    /** Where the policy drop's packet came in, for a drop the kernel's drop reasons did not report. */
    String policyDropSeenOn;
    String error;
    /** The table's tick at the last change, so watchers can tell what moved since they last looked. */
    long changed;

    Flow(FlowKey key, boolean aStarted, long nanos) {
        this.key = key;
        this.aStarted = aStarted;
        this.firstNanos = nanos;
        this.lastNanos = nanos;
    }

    /** Accounts one sighting; returns true if it was counted (the packet's entry point). */
    boolean see(boolean fromA, int ifindex, boolean outgoing, int length, int tcpFlags, long nanos) {
        lastNanos = Math.max(lastNanos, nanos);
        addHop(ifindex);
        int point = ifindex * 2 + (outgoing ? 1 : 0);
        if (fromA) {
            if (entryAB < 0) {
                entryAB = point;
            }
            if (entryAB == point) {
                packetsAB++;
                bytesAB += length;
                flagsAB |= tcpFlags;
                return true;
            }
            leftAB = true;
        } else {
            if (entryBA < 0) {
                entryBA = point;
            }
            if (entryBA == point) {
                packetsBA++;
                bytesBA += length;
                flagsBA |= tcpFlags;
                return true;
            }
            leftBA = true;
        }
        if (verdict == Verdict.SEEN) {
            verdict = Verdict.FORWARDED;
        }
        return false;
    }

    void dropped(KernelDrop d) {
        drop = d;
        verdict = Verdict.DROPPED;
    }

    void policyDropped(String direction, java.util.List<String> policies) {
        dropDirection = direction;
        dropPolicies = policies;
        verdict = Verdict.DROPPED;
    }

    void error(String why) {
        if (error == null) {
            error = why;
        }
        verdict = verdict.worst(Verdict.ERROR);
    }

    private void addHop(int ifindex) {
        for (int i = 0; i < hopCount; i++) {
            if (hops[i] == ifindex) {
                return;
            }
        }
        if (hopCount < MAX_HOPS) {
            hops[hopCount++] = ifindex;
        }
    }
}
