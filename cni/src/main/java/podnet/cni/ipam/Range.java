package podnet.cni.ipam;

import java.net.InetAddress;
import java.util.Map;
import podnet.cni.spec.CniError;
import podnet.cni.spec.Json;
import podnet.linux.inet.Cidr;

/**
 * One range of a range set, canonicalised like the reference: gateway defaults to network+1,
 * rangeStart to network+1, rangeEnd to the last address (minus the IPv4 broadcast).
 */
public record Range(Cidr subnet, InetAddress rangeStart, InetAddress rangeEnd, InetAddress gateway) {

    public static Range parse(Map<String, Object> m, String where) {
        String s = Json.str(m, "subnet", null);
        if (s == null || s.isEmpty()) {
            throw CniError.config(where + ": \"subnet\" missing");
        }
        Cidr subnet = cidr(s, where + ".subnet");
        return of(subnet, addr(Json.str(m, "rangeStart", null), where + ".rangeStart"),
                addr(Json.str(m, "rangeEnd", null), where + ".rangeEnd"),
                addr(Json.str(m, "gateway", null), where + ".gateway"), where);
    }

    public static Range of(Cidr subnet, InetAddress start, InetAddress end, InetAddress gateway, String where) {
        if (subnet.prefixLength() > subnet.bits() - 2) {
            throw CniError.config(where + ": network " + subnet + " too small to allocate from");
        }
        if (!subnet.network().equals(subnet)) {
            throw CniError.config(where + ": network has host bits set. For a subnet mask of length "
                    + subnet.prefixLength() + " the network address is " + subnet.network());
        }
        InetAddress first = Cidr.add(subnet.address(), 1);
        if (gateway == null) {
            gateway = first;
        } else if (!sameFamily(gateway, subnet)) {
            throw CniError.config(where + ": gateway " + Cidr.text(gateway) + " is not in the family of " + subnet);
        }
        if (start == null) {
            start = first;
        } else if (!subnet.contains(start)) {
            throw CniError.config(where + ": rangeStart " + Cidr.text(start) + " not in network " + subnet);
        }
        if (end == null) {
            InetAddress last = subnet.lastAddress();
            end = subnet.isIpv4() ? Cidr.add(last, -1) : last;
        } else if (!subnet.contains(end)) {
            throw CniError.config(where + ": rangeEnd " + Cidr.text(end) + " not in network " + subnet);
        }
        if (Cidr.compare(start, end) > 0) {
            throw CniError.config(where + ": rangeStart " + Cidr.text(start) + " is after rangeEnd " + Cidr.text(end));
        }
        return new Range(subnet, start, end, gateway);
    }

    private static boolean sameFamily(InetAddress a, Cidr c) {
        return (a.getAddress().length == 4) == c.isIpv4();
    }

    public boolean contains(InetAddress a) {
        return subnet.contains(a) && Cidr.compare(a, rangeStart) >= 0 && Cidr.compare(a, rangeEnd) <= 0;
    }

    public boolean overlaps(Range o) {
        return subnet.isIpv4() == o.subnet.isIpv4()
                && Cidr.compare(rangeStart, o.rangeEnd) <= 0 && Cidr.compare(o.rangeStart, rangeEnd) <= 0;
    }

    /** The number of addresses the range can hand out (gateway excluded), capped. */
    public long size() {
        var n = new java.math.BigInteger(1, rangeEnd.getAddress())
                .subtract(new java.math.BigInteger(1, rangeStart.getAddress())).add(java.math.BigInteger.ONE);
        if (contains(gateway)) {
            n = n.subtract(java.math.BigInteger.ONE);
        }
        return n.min(java.math.BigInteger.valueOf(Long.MAX_VALUE)).longValue();
    }

    @Override
    public String toString() {
        return Cidr.text(rangeStart) + "-" + Cidr.text(rangeEnd);
    }

    static Cidr cidr(String s, String where) {
        try {
            return Cidr.parse(s);
        } catch (IllegalArgumentException e) {
            throw CniError.config(where + ": " + e.getMessage());
        }
    }

    static InetAddress addr(String s, String where) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            return Cidr.parseAddress(s);
        } catch (IllegalArgumentException e) {
            throw CniError.config(where + ": " + e.getMessage());
        }
    }
}
