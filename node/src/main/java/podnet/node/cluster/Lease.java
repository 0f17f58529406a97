package podnet.node.cluster;

import java.net.InetAddress;
import java.time.Instant;
import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;

/**
 * One node's hold on a subnet of the cluster network, with what its peers need to reach it:
 * the underlay address and, for VXLAN, its VTEP's MAC and VNI.
 *
 * @param backend  the peer's backend name as it published it ("vxlan", "host-gw", or another flannel one)
 * @param vtepMac  null unless vxlan
 * @param nodeName null where the registry does not record names (flannel's etcd layout)
 * @param expires  null where leases do not expire (Kubernetes), or when not known
 */
public record Lease(Cidr subnet, InetAddress publicIp, String backend, MacAddress vtepMac, int vni,
        String nodeName, Instant expires) {

    /** flannel's key for the subnet: {@code 10.244.2.0-24}. */
    public String key() {
        return Cidr.text(subnet.address()) + "-" + subnet.prefixLength();
    }

    /** The subnet a flannel key names, or null when the key is not one. */
    public static Cidr subnetOfKey(String key) {
        int dash = key.lastIndexOf('-');
        if (dash <= 0) {
            return null;
        }
        try {
            Cidr c = Cidr.parse(key.substring(0, dash) + "/" + key.substring(dash + 1));
            return c.equals(c.network()) ? c : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The address the pods' gateway on the node has: {@code subnet.1}. */
    public InetAddress gateway() {
        return Cidr.add(subnet.address(), 1);
    }

    public Lease withExpiry(Instant t) {
        return new Lease(subnet, publicIp, backend, vtepMac, vni, nodeName, t);
    }

    public Lease withName(String name) {
        return new Lease(subnet, publicIp, backend, vtepMac, vni, name, expires);
    }

    /** Whether a peer can be reached the same way: same backend and, for vxlan, a VTEP MAC. */
    public boolean usableBy(BackendType ours) {
        return ours.flannelName().equals(backend) && (ours != BackendType.VXLAN || vtepMac != null);
    }
}
