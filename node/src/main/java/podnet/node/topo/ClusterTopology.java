package podnet.node.topo;

import java.util.List;

/**
 * Several nodes' pod networks and the tunnels between them, read from each node's kernel: per
 * node its topology, subnet, underlay address and (vxlan) VTEP; per route into another node's
 * subnet one {@link Tunnel}.
 */
public record ClusterTopology(List<NodeView> nodes, List<Tunnel> tunnels) {
    /** A node: its own picture plus what the cluster needs of it. */
    public record NodeView(String name, Topology topology, String subnet, String underlay, String underlayIp,
            String vtep, String vtepMac) {}

    /**
     * {@code from} reaches {@code subnet} (the pods of {@code to}) via {@code device}: flannel.1
     * (VXLAN to {@code to}'s underlay address) or the underlay (host-gw).
     */
    public record Tunnel(String from, String to, String subnet, String device, String peerIp, boolean vxlan) {}

    public String backend() {
        return tunnels.isEmpty() ? "none yet" : tunnels.getFirst().vxlan() ? "vxlan" : "host-gw";
    }
}
