package podnet.node.trace;

import java.net.InetAddress;
import java.util.Optional;
import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Vxlan;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Sockets;

/**
 * One node's part of a path between nodes, read from its kernel: the pods' bridge and the
 * node subnet on it, the VXLAN device when there is one (vxlan backend; else host-gw), and the
 * underlay link with its address and MTU.
 */
public record NodePath(Netns node, String bridge, Cidr subnet, String tunnel, MacAddress vtepMac, int tunnelMtu,
        String underlay, InetAddress underlayIp, int underlayMtu) {
    static final String TUNNEL = "flannel.1";

    boolean vxlan() {
        return tunnel != null;
    }

    String label() {
        return node.label();
    }

    static NodePath read(Netns node, String bridge) {
        try (NetlinkHandle h = NetlinkHandle.open(node)) {
            Cidr subnet = bridge == null ? null : h.addresses().list(bridge, Sockets.AF_INET).stream().findFirst()
                    .map(a -> a.cidr().network()).orElse(null);
            Optional<Link> tunnel = h.links().get(TUNNEL);
            Optional<Vxlan> vx = h.links().vxlan(TUNNEL);
            Link underlay = null;
            InetAddress ip = null;
            if (vx.isPresent() && vx.get().parentIndex() != 0) {
                underlay = h.links().get(vx.get().parentIndex()).orElse(null);
                ip = vx.get().local();
            }
            if (underlay == null) {
                for (Address a : h.addresses().list(Sockets.AF_INET)) {
                    Link l = h.links().get(a.index()).orElse(null);
                    if (l != null && !l.name().equals("lo") && !l.name().equals(bridge) && !l.name().startsWith("flannel.")
                            && !"bridge".equals(l.slaveKind())) {
                        underlay = l;
                        ip = a.cidr().address();
                        break;
                    }
                }
            }
            return new NodePath(node, bridge, subnet, tunnel.map(Link::name).orElse(null), tunnel.map(Link::mac).orElse(null),
                    tunnel.map(Link::mtu).orElse(0), underlay == null ? null : underlay.name(), ip,
                    underlay == null ? 0 : underlay.mtu());
        }
    }
}
