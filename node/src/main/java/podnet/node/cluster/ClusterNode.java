package podnet.node.cluster;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.nftables.Masquerade;

/**
 * {@code podnet node list} and {@code podnet node leave}: what a node agent's state directory
 * says about its node, and giving the node's subnet back.
 */
public final class ClusterNode {
    private ClusterNode() {}

    public static NodeRecord record(Path stateDir) {
        return NodeRecord.read(stateDir).orElseThrow(() -> new ClusterException(
                "no node agent has run with state dir " + stateDir,
                "start one with `podnet --state-dir " + stateDir + " node run …`, or give the right --state-dir"));
    }

    /** Every node the registry knows, this one first. */
    public static List<NodeInfo> list(Path stateDir) {
        NodeRecord rec = record(stateDir);
        try (SubnetRegistry reg = rec.registry().open(rec.netns(), rec.name())) {
            List<Lease> leases;
            try {
                leases = reg.leases();
            } catch (RegistryUnreachable e) {
                throw new ClusterException(e.getMessage(), "is etcd (or the API server) up and reachable from the node?");
            }
            List<NodeInfo> out = new ArrayList<>();
            for (Lease l : leases) {
                boolean self = !rec.left() && l.subnet().toString().equals(rec.subnet())
                        && Cidr.text(l.publicIp()).equals(rec.publicIp());
                String name = l.nodeName() != null ? l.nodeName() : self ? rec.name() : Cidr.text(l.publicIp());
                out.add(new NodeInfo(name, l.subnet().toString(), Cidr.text(l.publicIp()), l.backend(),
                        l.vtepMac() == null ? null : l.vtepMac().toString(), l.expires(), self));
            }
            out.sort(Comparator.comparing((NodeInfo n) -> !n.self()).thenComparing(NodeInfo::subnet));
            return out;
        }
    }

    /**
     * Stops the node's agent, gives its subnet back to the registry (every peer then removes
     * this node's entries), removes this node's VXLAN device or host-gw routes, its
     * masquerade rule and its hand-over files. The record stays, marked left, so a rejoin asks
     * for the same subnet. Refused, changing nothing, when the registry cannot be reached.
     */
    public static String leave(Path stateDir, PrintStream log) {
        NodeRecord rec = record(stateDir);
        if (rec.left()) {
            return "node " + rec.name() + " has left already (subnet " + rec.subnet() + ")";
        }
        try (SubnetRegistry reg = rec.registry().open(rec.netns(), rec.name())) {
            try {
                reg.config(rec.network());
            } catch (RegistryUnreachable e) {
                throw new ClusterException("cannot leave: " + e.getMessage() + "; nothing was changed",
                        "try again when the registry is reachable");
            }
            Optional<ProcessHandle> agent = rec.agent();
            if (agent.isPresent()) {
                log.println("podnet: stopping the node agent (pid " + agent.get().pid() + ")");
                agent.get().destroy();
                try {
                    agent.get().onExit().get(15, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new ClusterException("the node agent (pid " + agent.get().pid() + ") did not stop within 15 s",
                            "stop it (kill " + agent.get().pid() + ") and run `podnet node leave` again");
                }
            }
            Lease mine = new Lease(rec.subnetCidr(), Cidr.parseAddress(rec.publicIp()), rec.network().backend().flannelName(),
                    rec.mac(), AgentOptions.VNI, rec.name(), null);
            reg.release(mine);
            tearDown(rec);
        }
        StateFiles.delete(SubnetEnv.path(stateDir));
        StateFiles.delete(NodeAgent.agentSocket(stateDir)); // the agent is gone: ADDs no longer wait for it
        StateFiles.delete(stateDir.resolve("net.d").resolve(ClusterConflist.FILE));
        if (rec.cniConfDir() != null) {
            StateFiles.delete(Path.of(rec.cniConfDir()).resolve(ClusterConflist.FILE));
        }
        rec.asLeft().write(stateDir);
        return "node " + rec.name() + " left: subnet " + rec.subnet() + " given back";
    }

    private static void tearDown(NodeRecord rec) {
        try (NetlinkHandle h = NetlinkHandle.open(rec.netns())) {
            switch (rec.network().backend()) {
                case VXLAN -> h.links().deleteIfExists("flannel." + AgentOptions.VNI);
                case HOST_GW -> {
                    Underlay u = Underlay.find(h, rec.iface(), rec.publicIp() == null ? null : Cidr.parseAddress(rec.publicIp()));
                    HostGwBackend b = new HostGwBackend(h, u);
                    DataPath d = new DataPath(h, rec.network().network(), rec::subnetCidr, b);
                    d.removeAll();
                }
            }
        }
        if (rec.ipMasq()) {
            try (Masquerade m = Masquerade.open(rec.netns())) {
                m.removeNetworkWide(rec.network().network());
            }
        }
    }

    /** For messages: how long until a lease ends. */
    public static String remaining(java.time.Instant expires) {
        if (expires == null) {
            return "-";
        }
        Duration d = Duration.between(java.time.Instant.now(), expires);
        if (d.isNegative()) {
            return "expired";
        }
        return d.toHours() > 0 ? d.toHours() + "h" + d.toMinutesPart() + "m" : d.toMinutes() + "m" + d.toSecondsPart() + "s";
    }
}
