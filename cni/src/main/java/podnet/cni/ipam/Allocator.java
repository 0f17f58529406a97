package podnet.cni.ipam;

import java.net.InetAddress;
import java.util.List;
import podnet.cni.spec.CniError;
import podnet.cni.spec.Result.IpConfig;
import podnet.linux.inet.Cidr;

/**
 * Allocates one address from a range set, the reference's way: a requested address if given,
 * else round robin from the address after {@code last_reserved_ip.<index>}, skipping gateways.
 */
final class Allocator {
    private final RangeSet set;
    private final LeaseStore store;
    private final int index;

    Allocator(RangeSet set, LeaseStore store, int index) {
        this.set = set;
        this.store = store;
        this.index = index;
    }

    IpConfig allocate(String id, String ifName, InetAddress requested) {
        if (requested != null) {
            Range r = set.rangeFor(requested).orElseThrow(() -> CniError.config(
                    "requested IP " + Cidr.text(requested) + " is not in range set " + set));
            if (requested.equals(r.gateway())) {
                throw CniError.config("requested IP " + Cidr.text(requested) + " is the subnet's gateway");
            }
            if (!store.reserve(id, ifName, requested, index)) {
                throw new CniError(CniError.INTERNAL, "requested IP address " + Cidr.text(requested)
                        + " is not available in range set " + set);
            }
            return new IpConfig(new Cidr(requested, r.subnet().prefixLength()), r.gateway(), null);
        }
        List<InetAddress> mine = store.getById(id, ifName);
        for (InetAddress a : mine) {
            if (set.contains(a)) {
                throw new CniError(CniError.INTERNAL, Cidr.text(a) + " has been allocated to " + id
                        + ", duplicate allocation is not allowed");
            }
        }
        Iter it = new Iter(set, store.lastReserved(index));
        for (Range r = it.next(); r != null; r = it.next()) {
            if (store.reserve(id, ifName, it.cur, index)) {
                return new IpConfig(new Cidr(it.cur, r.subnet().prefixLength()), r.gateway(), null);
            }
        }
        throw new CniError(CniError.INTERNAL, "no IP addresses available in range set: " + set);
    }

    /** The reference's RangeIter: each range's start..end inclusive, wrapping once round. */
    static final class Iter {
        private final RangeSet set;
        private int rangeIdx;
        InetAddress cur;
        private InetAddress startIp;

        Iter(RangeSet set, InetAddress lastReserved) {
            this.set = set;
            if (lastReserved != null && set.contains(lastReserved)) {
                for (int i = 0; i < set.ranges().size(); i++) {
                    if (set.ranges().get(i).contains(lastReserved)) {
                        rangeIdx = i;
                        cur = lastReserved; // next() returns lastReserved + 1
                        break;
                    }
                }
            }
        }

        /** Advances; returns the range {@link #cur} is in, or null when all were tried. */
        Range next() {
            while (true) {
                Range r = set.ranges().get(rangeIdx);
                if (cur == null) {
                    cur = r.rangeStart();
                    startIp = cur;
                    if (cur.equals(r.gateway())) {
                        continue;
                    }
                    return r;
                }
                if (cur.equals(r.rangeEnd())) {
                    rangeIdx = (rangeIdx + 1) % set.ranges().size();
                    r = set.ranges().get(rangeIdx);
                    cur = r.rangeStart();
                } else {
                    cur = Cidr.add(cur, 1);
                }
                if (startIp == null) {
                    startIp = cur;
                } else if (cur.equals(startIp)) {
                    return null;
                }
                if (cur.equals(r.gateway())) {
                    continue;
                }
                return r;
            }
        }
    }
}
