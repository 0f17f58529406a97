package podnet.node.topo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.VethPeers;
import podnet.linux.ns.Netns;

/** Reads a {@link Topology} from a node's network namespace and the namespaces its veths lead to. */
public final class TopologyReader {
    private TopologyReader() {}

    public static Topology read(Netns node) {
        try (NetlinkHandle h = NetlinkHandle.open(node)) {
            List<Link> links = h.links().list();
            List<Address> addrs = h.addresses().list(0);
            List<Topology.Bridge> bridges = new ArrayList<>();
            List<Topology.Uplink> uplinks = new ArrayList<>();
            for (Link l : links) {
                if (l.isBridge()) {
                    List<Topology.Port> ports = new ArrayList<>();
                    for (Link p : links) {
                        if (p.masterIndex() == l.index()) {
                            ports.add(port(h, p));
                        }
                    }
                    bridges.add(new Topology.Bridge(l.name(), l.mac(), l.isUp(), addressesOf(addrs, l.index()), ports));
                } else if (!l.hasMaster() && !"lo".equals(l.name())) {
                    uplinks.add(new Topology.Uplink(l.name(), l.kind() == null ? "device" : l.kind(), l.mac(),
                            l.isUp(), addressesOf(addrs, l.index())));
                }
            }
            return new Topology(node.label(), bridges, uplinks);
        }
    }

    private static Topology.Port port(NetlinkHandle h, Link p) {
        Topology.Pod pod = null;
        Optional<VethPeers.Peer> peer = VethPeers.of(h, p);
        if (peer.isPresent() && peer.get().netns() != null) {
            pod = podAt(peer.get());
        }
        String stp = p.port() == null ? "" : p.port().stateName();
        boolean hairpin = p.port() != null && p.port().hairpin();
        return new Topology.Port(p.name(), p.index(), p.mac(), p.isUp(), stp, hairpin, pod);
    }

    private static Topology.Pod podAt(VethPeers.Peer peer) {
        Netns ns = peer.netns();
        if (ns.isCurrent()) {
            return null; // a veth looping back into the node: not a pod
        }
        try (NetlinkHandle there = NetlinkHandle.open(ns)) {
            Link l = there.links().require(peer.index());
            List<Cidr> addresses = addressesOf(there.addresses().list(0), l.index());
            return new Topology.Pod(ns.label(), l.name(), l.mac(), l.isUp(), addresses);
        }
    }

    /** The link's addresses without IPv6 link-local ones, which every link has and nobody routes to. */
    private static List<Cidr> addressesOf(List<Address> addrs, int index) {
        return addrs.stream().filter(a -> a.index() == index).map(Address::cidr)
                .filter(c -> !c.address().isLinkLocalAddress()).toList();
    }
}
