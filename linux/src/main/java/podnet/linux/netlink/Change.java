package podnet.linux.netlink;

import java.util.Set;
import podnet.linux.netlink.nl.NlRequest;

/**
 * One rtnetlink change (a neighbour, FDB entry or route to set or remove), built by
 * {@link Neighbours}, {@link Fdb} and {@link Routes} and sent with others in few datagrams by
 * {@link NetlinkHandle#applyEach}. A removal of something already gone is not a failure.
 */
public final class Change {
    final NlRequest request;
    private final String description;
    private final Set<Integer> tolerated;

    Change(NlRequest request, String description, Set<Integer> tolerated) {
        this.request = request;
        this.description = description;
        this.tolerated = tolerated;
    }

    /** What it does, as iproute2 would say it: "neighbour replace 10.244.3.0 dev #4 …". */
    public String description() {
        return description;
    }

    boolean tolerates(int errno) {
        return tolerated.contains(errno);
    }

    @Override
    public String toString() {
        return description;
    }
}
