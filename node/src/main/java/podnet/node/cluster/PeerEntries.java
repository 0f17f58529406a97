package podnet.node.cluster;

import java.net.InetAddress;
import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;
import podnet.linux.netlink.Route;

/**
 * What one peer needs in this node's kernel, in the order it is set up: for VXLAN the
 * neighbour {@code subnet.0 → VTEP MAC}, the FDB entry {@code VTEP MAC → public IP}, then the
 * route; for host-gw only the route (the neighbour fields are null).
 */
record PeerEntries(Cidr subnet, InetAddress neighbourIp, MacAddress mac, InetAddress fdbDst, Route route) {
    boolean tunnelled() {
        return mac != null;
    }
}
