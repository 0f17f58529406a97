package podnet.node.topo;

import java.util.List;
import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;

/**
 * A node's pod network as read from the live kernel: its bridges with their ports, the pod at
 * the far end of each veth port, and the node's other interfaces (the uplink).
 */
public record Topology(String node, List<Bridge> bridges, List<Uplink> uplinks) {

    /** A bridge (cni0) with its gateway address(es) and ports. */
    public record Bridge(String name, MacAddress mac, boolean up, List<Cidr> addresses, List<Port> ports) {}

    /**
     * A bridge port. For a veth, {@code pod} is what sits at the other end (null when the peer's
     * namespace has no name we can open).
     */
    public record Port(String name, int index, MacAddress mac, boolean up, String stpState,
            boolean hairpin, Pod pod) {}

    /** A pod's end of a veth: the namespace, its interface (eth0), addresses and MAC. */
    public record Pod(String netns, String ifname, MacAddress mac, boolean up, List<Cidr> addresses) {
        public String label() {
            return netns == null ? "?" : netns;
        }

        public String firstAddress() {
            return addresses.stream().filter(Cidr::isIpv4).findFirst()
                    .or(() -> addresses.stream().findFirst()).map(Cidr::toString).orElse("no address");
        }
    }

    /** One of the node's own interfaces that is neither a bridge, a bridge port nor lo. */
    public record Uplink(String name, String kind, MacAddress mac, boolean up, List<Cidr> addresses) {}

    public int podCount() {
        return bridges.stream().mapToInt(b -> (int) b.ports().stream().filter(p -> p.pod() != null).count()).sum();
    }
}
