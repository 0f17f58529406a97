package podnet.node.observe;

import java.util.function.Predicate;
import podnet.linux.tracefs.SkbDrop;

/**
 * The last few thousand frame sightings in arrival order, for matching kernel drops to what
 * was seen just before them (see {@link DropMatcher}). A fixed ring of primitive arrays: no
 * allocation per frame.
 */
final class RecentSightings {
    /** A sighting handed back by {@link #match}. */
    record Match(Flow flow, boolean fromA, int ifindex, long nanos) {}

    private final int size;
    private final long[] nanos;
    private final int[] etherType;
    private final boolean[] solicitation;
    private final Flow[] flow;
    private final boolean[] fromA;
    private final int[] ifindex;
    private long count;

    RecentSightings(int size) {
        this.size = size;
        nanos = new long[size];
        etherType = new int[size];
        solicitation = new boolean[size];
        flow = new Flow[size];
        fromA = new boolean[size];
        ifindex = new int[size];
    }

    /** A frame of {@code ether} type (an ARP request / neighbour solicitation: {@code solicits}) seen at {@code t}. */
    void add(long t, int ether, boolean solicits, Flow f, boolean wentFromA, int dev) {
        int i = (int) (count++ % size);
        nanos[i] = t;
        etherType[i] = ether;
        solicitation[i] = solicits;
        flow[i] = f;
        fromA[i] = wentFromA;
        ifindex[i] = dev;
    }

    /** The newest sighting that {@code d} can be the drop of and {@code accept} takes, or null. */
    Match match(SkbDrop d, Predicate<Match> accept) {
        long oldest = d.timeNanos() - DropMatcher.window(d);
        for (long k = count - 1; k >= 0 && k >= count - size; k--) {
            int i = (int) (k % size);
            if (nanos[i] < oldest && nanos[i] <= d.timeNanos()) {
                break; // arrival order is time order, within a CPU's jitter
            }
            if (DropMatcher.fits(d, nanos[i], etherType[i], solicitation[i])) {
                Match m = new Match(flow[i], fromA[i], ifindex[i], nanos[i]);
                if (accept.test(m)) {
                    return m;
                }
            }
        }
        return null;
    }
}
