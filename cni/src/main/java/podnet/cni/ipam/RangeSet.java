package podnet.cni.ipam;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import podnet.cni.spec.CniError;

/** Ranges of one family from which one address is allocated per attachment. */
public record RangeSet(List<Range> ranges) {
    public RangeSet {
        ranges = List.copyOf(ranges);
    }

    public static RangeSet of(List<Range> ranges, String where) {
        if (ranges.isEmpty()) {
            throw CniError.config(where + ": empty range set");
        }
        boolean v4 = ranges.get(0).subnet().isIpv4();
        for (int i = 0; i < ranges.size(); i++) {
            if (ranges.get(i).subnet().isIpv4() != v4) {
                throw CniError.config(where + ": mixed address families in one range set");
            }
            for (int j = 0; j < i; j++) {
                if (ranges.get(i).overlaps(ranges.get(j))) {
                    throw CniError.config(where + ": ranges " + ranges.get(j) + " and " + ranges.get(i) + " overlap");
                }
            }
        }
        return new RangeSet(ranges);
    }

    public boolean contains(InetAddress a) {
        return rangeFor(a).isPresent();
    }

    public Optional<Range> rangeFor(InetAddress a) {
        for (Range r : ranges) {
            if (r.contains(a)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    public boolean overlaps(RangeSet o) {
        return ranges.stream().anyMatch(r -> o.ranges.stream().anyMatch(r::overlaps));
    }

    public long size() {
        long n = 0;
        for (Range r : ranges) {
            n += r.size();
            if (n < 0) {
                return Long.MAX_VALUE;
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return ranges.stream().map(Range::toString).collect(Collectors.joining(","));
    }
}
