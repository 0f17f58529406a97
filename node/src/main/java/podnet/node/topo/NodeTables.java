package podnet.node.topo;

import java.util.List;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.FdbEntry;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Neighbour;
import podnet.linux.ns.Netns;

/** The node's tables shown under the picture: links, addresses, the bridge FDB and the ARP/ND table. */
public record NodeTables(List<Link> links, List<Address> addresses, List<FdbEntry> fdb, List<Neighbour> neighbours) {
    public static NodeTables read(Netns node) {
        try (NetlinkHandle h = NetlinkHandle.open(node)) {
            return new NodeTables(h.links().list(), h.addresses().list(0), h.fdb().list(), h.neighbours().list(0));
        }
    }

    public String linkName(int index) {
        return links.stream().filter(l -> l.index() == index).map(Link::name).findFirst().orElse("#" + index);
    }
}
