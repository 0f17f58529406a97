package podnet.node.observe;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The flows seen so far, bounded: at most {@code capacity} entries kept in order of last use;
 * a new flow beyond that evicts the one idle longest, and flows idle longer than the expiry
 * are dropped by {@link #expire}. Not thread-safe: the {@link Observer} serialises access.
 */
public final class FlowTable {
    private final int capacity;
    private final LinkedHashMap<FlowKey, Flow> flows;
    private long evicted;
    private long ticks;

    public FlowTable(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("flow table capacity must be at least 1, not " + capacity);
        }
        this.capacity = capacity;
        this.flows = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<FlowKey, Flow> eldest) {
                if (size() > FlowTable.this.capacity) {
                    evicted++;
                    return true;
                }
                return false;
            }
        };
    }

    /** Accounts one sighting of {@code h} on {@code ifindex}; returns the flow (made if new). */
    public Flow see(FrameHeaders h, int ifindex, boolean outgoing, long nanos) {
        Flow f = flows.get(h.key());
        if (f == null) {
            f = new Flow(h.key(), h.fromA(), nanos);
            flows.put(h.key(), f);
        }
        f.see(h.fromA(), ifindex, outgoing, h.length(), h.tcpFlags(), nanos);
        f.changed = ++ticks;
        return f;
    }

    /**
     * {@link #see(FrameHeaders, int, boolean, long)} for the frame {@code p} holds: the flow is
     * looked up without making its key (only a new flow gets one).
     */
    Flow see(FrameParser p, int ifindex, boolean outgoing, long nanos) {
        probe.frame = p;
        Flow f = flows.get(probe);
        probe.frame = null;
        if (f == null) {
            FlowKey key = p.key();
            f = new Flow(key, p.fromA, nanos);
            flows.put(key, f);
        }
        f.see(p.fromA, ifindex, outgoing, p.length, p.tcpFlags, nanos);
        f.changed = ++ticks;
        return f;
    }

    /**
     * Stands for the key of the frame a parser holds in a lookup: equal to that key and with its
     * hash (HashMap asks the key it is given, not the stored one, whether they are equal).
     */
    private static final class KeyProbe {
        FrameParser frame;

        @Override
        public boolean equals(Object o) {
            return o instanceof FlowKey k && frame.keyEquals(k);
        }

        @Override
        public int hashCode() {
            return frame.keyHash();
        }
    }

    private final KeyProbe probe = new KeyProbe();

    /** Marks {@code f} changed (after a drop or an error was recorded on it). */
    void changed(Flow f) {
        f.changed = ++ticks;
    }

    /** The tick of the latest change; {@link #changedSince} of it returns nothing until more happens. */
    long ticks() {
        return ticks;
    }

    /** The flows changed after tick {@code since}, oldest change first. */
    List<Flow> changedSince(long since) {
        List<Flow> out = new ArrayList<>();
        for (Flow f : flows.values()) {
            if (f.changed > since) {
                out.add(f);
            }
        }
        out.sort(java.util.Comparator.comparingLong(f -> f.changed));
        return out;
    }

    /** The flow of {@code key} if it is in the table (counts as a use). */
    Flow get(FlowKey key) {
        return flows.get(key);
    }

    public int size() {
        return flows.size();
    }

    public int capacity() {
        return capacity;
    }

    /** Flows pushed out to make room since the table was made. */
    public long evicted() {
        return evicted;
    }

    /** Removes flows last seen before {@code cutoffNanos}; returns how many. */
    int expire(long cutoffNanos) {
        int n = 0;
        for (Iterator<Flow> it = flows.values().iterator(); it.hasNext(); ) {
            Flow f = it.next();
            if (f.lastNanos >= cutoffNanos) {
                break; // access order: the rest were used more recently
            }
            it.remove();
            n++;
        }
        return n;
    }

    /** Up to {@code limit} flows, most recently active first. */
    List<Flow> newestFirst(int limit) {
        List<Flow> out = new ArrayList<>(Math.min(limit, flows.size()));
        for (Flow f : flows.sequencedValues().reversed()) {
            if (out.size() >= limit) {
                break;
            }
            out.add(f);
        }
        return out;
    }
}
