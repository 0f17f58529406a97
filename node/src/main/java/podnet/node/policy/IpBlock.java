package podnet.node.policy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import podnet.linux.inet.Cidr;
import podnet.linux.nftables.AddressRange;

/** {@code ipBlock}: addresses in {@code cidr} except those in any of {@code except}. */
public record IpBlock(Cidr cidr, List<Cidr> except) {
    public IpBlock {
        cidr = cidr.network();
        except = except.stream().map(Cidr::network).toList();
    }

    public boolean contains(InetAddress a) {
        if (!cidr.contains(a)) {
            return false;
        }
        for (Cidr c : except) {
            if (c.contains(a)) {
                return false;
            }
        }
        return true;
    }

    /** The block as address ranges: the cidr with the excepted ranges cut out (IPv4 only). */
    public List<AddressRange> ranges() {
        List<AddressRange> out = new ArrayList<>(List.of(AddressRange.of(cidr)));
        for (Cidr c : except) {
            AddressRange cut = AddressRange.of(c);
            List<AddressRange> next = new ArrayList<>();
            for (AddressRange r : out) {
                if (cut.last() < r.first() || cut.first() > r.last()) {
                    next.add(r);
                    continue;
                }
                if (r.first() < cut.first()) {
                    next.add(new AddressRange(r.first(), cut.first() - 1));
                }
                if (r.last() > cut.last()) {
                    next.add(new AddressRange(cut.last() + 1, r.last()));
                }
            }
            out = next;
        }
        return out;
    }

    @Override
    public String toString() {
        return except.isEmpty() ? cidr.toString() : cidr + " except " + except;
    }
}
