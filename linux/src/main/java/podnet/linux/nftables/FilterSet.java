package podnet.linux.nftables;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A named set of a {@link FilterRuleset}: IPv4 addresses, address ranges (an interval set), or
 * address . protocol . port triples. Ranges are merged when overlapping or adjacent, because the
 * kernel refuses overlapping intervals.
 */
public record FilterSet(String name, Kind kind, Set<SetKey> keys, List<AddressRange> ranges) {
    public enum Kind { ADDRESSES, ADDRESS_RANGES, SERVICES }

    public FilterSet {
        FilterRuleset.checkName(name);
        keys = Set.copyOf(keys);
        ranges = kind == Kind.ADDRESS_RANGES ? merge(ranges) : List.of();
        for (SetKey k : keys) {
            if (kind == Kind.ADDRESS_RANGES || k.isService() != (kind == Kind.SERVICES)) {
                throw new IllegalArgumentException("set " + name + " (" + kind + ") cannot hold " + k);
            }
        }
    }

    public static FilterSet addresses(String name, Set<SetKey> keys) {
        return new FilterSet(name, Kind.ADDRESSES, keys, List.of());
    }

    public static FilterSet services(String name, Set<SetKey> keys) {
        return new FilterSet(name, Kind.SERVICES, keys, List.of());
    }

    public static FilterSet ranges(String name, List<AddressRange> ranges) {
        return new FilterSet(name, Kind.ADDRESS_RANGES, Set.of(), ranges);
    }

    /** Sorted, with overlapping and adjacent ranges joined. */
    static List<AddressRange> merge(List<AddressRange> in) {
        List<AddressRange> sorted = new ArrayList<>(in);
        sorted.sort(null);
        List<AddressRange> out = new ArrayList<>();
        for (AddressRange r : sorted) {
            if (!out.isEmpty() && r.first() <= out.getLast().last() + 1) {
                AddressRange last = out.removeLast();
                out.add(new AddressRange(last.first(), Math.max(last.last(), r.last())));
            } else {
                out.add(r);
            }
        }
        return List.copyOf(out);
    }
}
