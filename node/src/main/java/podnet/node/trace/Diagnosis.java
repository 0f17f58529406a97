package podnet.node.trace;

import java.util.Optional;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.BridgePort;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;
import podnet.node.policy.PolicyDrop;

/**
 * Why a probe did or did not get through: the hop where things go wrong and the likely reason,
 * read from live kernel state along the path in order (link up? a port of the bridge? the
 * address there?), then from what the captures saw (ARP answered? request delivered?).
 *
 * @param hop the hop number where the path breaks (0 when it works)
 */
public record Diagnosis(boolean ok, int hop, String reason) {
    static Diagnosis fine(String why) {
        return new Diagnosis(true, 0, why);
    }

    static Diagnosis broken(int hop, String why) {
        return new Diagnosis(false, hop, why);
    }

    public static Diagnosis of(TraceResult r) {
        Endpoint src = r.source(), dst = r.destination();
        if (r.answered() && r.seen(Sighting.Kind.REPLY, 1)) {
            return fine(dst.label() + " answered; the reply came back the same way");
        }
        Optional<String> problem;
        if ((problem = pod(src, "source")).isPresent()) {
            return broken(1, problem.get());
        }
        try (NetlinkHandle node = NetlinkHandle.open(src.node())) {
            if (src.hostVeth() == null) {
                return broken(2, src.label() + "'s " + src.ifname() + " is not a veth into the node namespace");
            }
            Optional<Link> srcVeth = node.links().get(src.hostVeth());
            if (srcVeth.isEmpty() || !srcVeth.get().isUp()) {
                return broken(2, "the host end " + src.hostVeth() + " is " + (srcVeth.isEmpty() ? "gone" : "down"));
            }
            String bridge = src.bridge() != null ? src.bridge() : dst.bridge();
            if (bridge == null || !srcVeth.get().hasMaster()) {
                return broken(3, src.hostVeth() + " is not a port of any bridge");
            }
            Link br = node.links().require(srcVeth.get().masterIndex());
            if (!br.isUp()) {
                return broken(3, "bridge " + br.name() + " is down");
            }
            if (dst.hostVeth() == null) {
                return broken(4, dst.label() + "'s " + dst.ifname() + " has no veth peer in the node namespace");
            }
            Optional<Link> dstVeth = node.links().get(dst.hostVeth());
            if (dstVeth.isEmpty()) {
                return broken(4, "the host end " + dst.hostVeth() + " is gone");
            }
            if (dstVeth.get().masterIndex() != br.index()) {
                return broken(4, dst.hostVeth() + " is not a port of " + br.name()
                        + " (detached: the bridge has nowhere to forward to " + dst.label() + ")");
            }
            if (!dstVeth.get().isUp()) {
                return broken(4, "the host end " + dst.hostVeth() + " is down (set it up: podnet link set "
                        + dst.hostVeth() + " up)");
            }
            BridgePort port = dstVeth.get().port();
            if (port != null && port.state() != BridgePort.STATE_FORWARDING) {
                return broken(4, dst.hostVeth() + " is in STP state " + port.stateName() + ", not forwarding");
            }
        }
        if ((problem = pod(dst, "destination")).isPresent()) {
            return broken(5, problem.get());
        }
        if (!r.policyDrops().isEmpty()) {
            PolicyDrop d = r.policyDrops().getFirst(); // the policy table's own trace: more than NETFILTER_DROP
            boolean ingress = "ingress".equals(d.direction());
            Endpoint side = d.source().equals(src.ip()) == ingress ? dst : src;
            return broken(r.hops().stream().anyMatch(h -> h.number() == 3) ? 3 : 2, "dropped " + d.byPolicies() + ": "
                    + side.label() + " is isolated for " + d.direction() + " and no policy allows this "
                    + (d.source().equals(src.ip()) ? r.probe().describe() : "reply"));
        }
        if (!r.drops().isEmpty()) {
            KernelDropAt d = r.drops().getFirst(); // the kernel said why: better than any guess below
            return broken(d.hop().number(), d.describe());
        }
        if (!r.seen(Sighting.Kind.ARP_REPLY, 1) && !r.seen(Sighting.Kind.REQUEST, 5)) {
            return broken(5, "no ARP reply from " + Cidr.text(dst.ip()) + " (the request reached hop "
                    + r.lastHopReached() + ")");
        }
        if (r.seen(Sighting.Kind.REQUEST, 5) && !r.seen(Sighting.Kind.REPLY, 5)) {
            return broken(5, dst.label() + " received the probe but did not answer (nothing listening, or a firewall)");
        }
        if (!r.answered()) {
            return broken(r.lastHopReached(), "the probe was last seen at hop " + r.lastHopReached());
        }
        return fine(dst.label() + " answered");
    }

    /** A pod end's own problems: interface missing or down, or its address gone. */
    private static Optional<String> pod(Endpoint e, String role) {
        Netns ns = e.netns();
        if (!ns.exists()) {
            return Optional.of("the " + role + "'s namespace " + ns.label() + " is gone");
        }
        try (NetlinkHandle h = NetlinkHandle.open(ns)) {
            Optional<Link> l = h.links().get(e.ifname());
            if (l.isEmpty()) {
                return Optional.of(e.label() + " has no " + e.ifname());
            }
            if (!l.get().isUp()) {
                return Optional.of(e.label() + "'s " + e.ifname() + " is down");
            }
            boolean has = h.addresses().list(e.ifname(), 0).stream().anyMatch(a -> a.cidr().address().equals(e.ip()));
            if (!has) {
                return Optional.of(e.label() + "'s " + e.ifname() + " has no address " + Cidr.text(e.ip())
                        + " (address missing: nothing answers ARP for it)");
            }
            return Optional.empty();
        }
    }
}
