package podnet.node.cluster;

import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Route;

/**
 * flannel's host-gw backend: no device; per peer the route {@code subnet via PEER-IP}. That
 * only works when the peer is on this node's L2 segment — the kernel's own route to the peer
 * must have no gateway — and a peer that is not is refused, saying so.
 */
final class HostGwBackend implements Backend {
    private final NetlinkHandle h;
    private final Underlay underlay;
    private DataPath dataPath;

    HostGwBackend(NetlinkHandle h, Underlay underlay) {
        this.h = h;
        this.underlay = underlay;
    }

    void dataPath(DataPath d) {
        this.dataPath = d;
    }

    @Override
    public BackendType type() {
        return BackendType.HOST_GW;
    }

    @Override
    public int mtu() {
        return underlay.mtu();
    }

    @Override
    public MacAddress vtepMac() {
        return null;
    }

    @Override
    public int vni() {
        return 0;
    }

    @Override
    public int routeLink() {
        return underlay.index();
    }

    @Override
    public int tunnelLink() {
        return 0;
    }

    @Override
    public void setUp() {
        // nothing to make: routes only
    }

    @Override
    public void undoSetUp() {
        // nothing was made
    }

    @Override
    public void configure(Cidr subnet) {
        // the node's own subnet lives on cni0, made by the bridge plugin
    }

    @Override
    public PeerEntries entries(Lease peer) {
        Route path = h.routes().get(peer.publicIp());
        if (path.gateway() != null || path.oif() != underlay.index()) {
            throw new ClusterException("host-gw cannot reach " + peer.subnet() + ": its node " + Cidr.text(peer.publicIp())
                    + " is not on this node's L2 segment (" + underlay + ")"
                    + (path.gateway() != null ? "; the way there is routed via " + Cidr.text(path.gateway()) : ""),
                    "host-gw needs every node on one L2 segment; use --backend vxlan across routers");
        }
        return new PeerEntries(peer.subnet(), null, null, null, Route.of(peer.subnet(), peer.publicIp(), underlay.index()));
    }

    @Override
    public void tearDown() {
        if (dataPath != null) {
            dataPath.removeAll();
        }
    }
}
