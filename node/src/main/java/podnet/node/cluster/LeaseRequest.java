package podnet.node.cluster;

import java.net.InetAddress;
import java.time.Duration;
import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;

/**
 * What a node asks a subnet for: how peers reach it, its name, the subnet it had before (null
 * when none), and how long a lease lasts (flannel: 24 h, renewed an hour before it ends).
 */
public record LeaseRequest(String nodeName, InetAddress publicIp, BackendType backend, MacAddress vtepMac, int vni,
        Cidr preferred, Duration ttl) {
    public static final Duration FLANNEL_TTL = Duration.ofHours(24);

    Lease lease(Cidr subnet) {
        return new Lease(subnet, publicIp, backend.flannelName(), vtepMac, vni, nodeName, null);
    }

    /** When to renew: an hour before the end, or half-way for leases shorter than two hours. */
    static Duration renewMargin(Duration ttl) {
        return ttl.compareTo(Duration.ofHours(2)) >= 0 ? Duration.ofHours(1) : ttl.dividedBy(2);
    }
}
