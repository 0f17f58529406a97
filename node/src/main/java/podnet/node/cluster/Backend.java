package podnet.node.cluster;

import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;

/** How this node reaches other nodes' pods: sets up its device, and says what each peer needs. */
interface Backend {
    BackendType type();

    /** The pods' MTU: the underlay's, less the encapsulation. */
    int mtu();

    /** The VTEP MAC peers must use (vxlan), else null. */
    MacAddress vtepMac();

    int vni();

    /** The link peer routes go out of (flannel.1, or the underlay for host-gw). */
    int routeLink();

    /** The tunnel device whose neighbours and FDB entries are the peers' (0 for host-gw). */
    int tunnelLink();

    /**
     * Makes (or checks and keeps) what the backend needs before the node has a subnet. On
     * failure nothing it made is left and a {@link ClusterException} says why.
     */
    void setUp();

    /** Removes what {@link #setUp} made in this run (the agent stopped before it got a subnet). */
    void undoSetUp();

    /** Gives the backend the node's own subnet (flannel.1 gets {@code subnet.0/32}). */
    void configure(Cidr subnet);

    /** The entries for {@code peer}, or a {@link ClusterException} saying why this backend cannot reach it. */
    PeerEntries entries(Lease peer);

    /** Removes the backend's device and everything on it (the node leaves). */
    void tearDown();
}
