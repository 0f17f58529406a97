package podnet.node.cluster;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Route;
import podnet.linux.sys.Sockets;

/**
 * The node's link to the other nodes: its name and index, the IPv4 address the tunnel's outer
 * packets leave from, and its MTU. Like flannel: {@code --iface}, else the default route's device.
 */
record Underlay(String ifname, int index, InetAddress address, int prefixLength, int mtu) {

    static Underlay find(NetlinkHandle h, String iface, InetAddress publicIp) {
        String where = h.netns().isCurrent() ? "this network namespace" : "netns " + h.netns().label();
        Link link;
        if (iface != null) {
            link = h.links().get(iface).orElseThrow(() -> new ClusterException("no interface " + iface + " in " + where,
                    "give --iface one of: " + String.join(", ", h.links().list().stream().map(Link::name).toList())));
        } else {
            Optional<Route> dflt = h.routes().list(Sockets.AF_INET).stream().filter(Route::isDefault).findFirst();
            if (dflt.isEmpty() || dflt.get().oif() == 0) {
                throw new ClusterException("no default route in " + where + " to tell which interface leads to the other nodes",
                        "give --iface DEV (the node's link to the other nodes)");
            }
            link = h.links().require(dflt.get().oif());
        }
        List<Address> v4 = h.addresses().list(link.name(), Sockets.AF_INET);
        if (v4.isEmpty()) {
            throw new ClusterException("interface " + link.name() + " in " + where + " has no IPv4 address",
                    "give it one, or pick another with --iface");
        }
        Address chosen = v4.get(0);
        if (publicIp != null) {
            chosen = v4.stream().filter(a -> a.cidr().address().equals(publicIp)).findFirst().orElse(chosen);
        }
        if (!link.isUp()) {
            throw new ClusterException("interface " + link.name() + " in " + where + " is down", "bring it up first");
        }
        return new Underlay(link.name(), link.index(), chosen.cidr().address(), chosen.cidr().prefixLength(), link.mtu());
    }

    @Override
    public String toString() {
        return ifname + " " + Cidr.text(address);
    }
}
