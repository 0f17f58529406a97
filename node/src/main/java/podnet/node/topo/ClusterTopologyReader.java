package podnet.node.topo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.RemoteFdbEntry;
import podnet.linux.netlink.Route;
import podnet.linux.netlink.Vxlan;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Sockets;

/** Reads a {@link ClusterTopology} from node namespaces on this machine. */
public final class ClusterTopologyReader {
    private ClusterTopologyReader() {}

    public static ClusterTopology read(List<Netns> nodes) {
        List<ClusterTopology.NodeView> views = new ArrayList<>();
        List<List<Route>> routes = new ArrayList<>();
        List<List<RemoteFdbEntry>> fdbs = new ArrayList<>();
        for (Netns n : nodes) {
            Topology t = TopologyReader.read(n);
            try (NetlinkHandle h = NetlinkHandle.open(n)) {
                Optional<Link> vtep = h.links().get("flannel.1");
                Optional<Vxlan> vx = h.links().vxlan("flannel.1");
                String subnet = t.bridges().stream().flatMap(b -> b.addresses().stream()).filter(Cidr::isIpv4).findFirst()
                        .map(c -> c.network().toString()).orElse(null);
                if (subnet == null && vtep.isPresent()) {
                    subnet = h.addresses().list("flannel.1", Sockets.AF_INET).stream().findFirst()
                            .map(a -> new Cidr(a.cidr().address(), 24).network().toString()).orElse(null);
                }
                String underlay = null, underlayIp = null;
                if (vx.isPresent() && vx.get().parentIndex() != 0) {
                    underlay = h.links().get(vx.get().parentIndex()).map(Link::name).orElse(null);
                    underlayIp = vx.get().local() == null ? null : Cidr.text(vx.get().local());
                } else {
                    for (Topology.Uplink u : t.uplinks()) {
                        Optional<Cidr> a = u.addresses().stream().filter(Cidr::isIpv4).findFirst();
                        if (a.isPresent() && !u.name().startsWith("flannel.")) {
                            underlay = u.name();
                            underlayIp = Cidr.text(a.get().address());
                            break;
                        }
                    }
                }
                views.add(new ClusterTopology.NodeView(n.label(), t, subnet, underlay, underlayIp,
                        vtep.map(Link::name).orElse(null), vtep.map(l -> String.valueOf(l.mac())).orElse(null)));
                routes.add(h.routes().list(Sockets.AF_INET));
                fdbs.add(vtep.map(l -> h.fdb().listRemote(l.index())).orElse(List.of()));
            }
        }
        List<ClusterTopology.Tunnel> tunnels = new ArrayList<>();
        for (int i = 0; i < views.size(); i++) {
            for (int j = 0; j < views.size(); j++) {
                ClusterTopology.NodeView from = views.get(i), to = views.get(j);
                if (i == j || to.subnet() == null) {
                    continue;
                }
                for (Route r : routes.get(i)) {
                    if (r.destination() == null || !r.destination().toString().equals(to.subnet()) || r.gateway() == null) {
                        continue;
                    }
                    boolean viaTunnel = from.vtep() != null && r.isOnlink();
                    String peer = viaTunnel ? fdbs.get(i).stream().filter(e -> to.vtepMac() != null
                            && e.mac().toString().equals(to.vtepMac())).map(e -> Cidr.text(e.dst())).findFirst().orElse(null)
                            : Cidr.text(r.gateway());
                    tunnels.add(new ClusterTopology.Tunnel(from.name(), to.name(), to.subnet(),
                            viaTunnel ? from.vtep() : from.underlay(), peer, viaTunnel));
                }
            }
        }
        return new ClusterTopology(views, tunnels);
    }
}
