package podnet.node.trace;

import java.net.InetAddress;
import java.util.Optional;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Neighbour;
import podnet.linux.netlink.RemoteFdbEntry;
import podnet.linux.netlink.Route;
import podnet.linux.sys.Sockets;

/**
 * Why a probe between nodes did or did not get through, naming the hop and the missing piece:
 * first the live state along the way (each pod end; on each node the route to the other
 * node's subnet, and for VXLAN the permanent neighbour and the FDB entry that make it work;
 * a tunnel MTU the underlay cannot carry; a probe too big), then what the captures saw (left
 * one node's underlay but never reached the other's: UDP 8472 dropped).
 */
final class CrossNodeDiagnosis {
    private CrossNodeDiagnosis() {}

    private record Problem(int hop, String reason) {}

    static Diagnosis of(CrossNodeResult r) {
        Endpoint src = r.source(), dst = r.destination();
        NodePath from = r.from(), to = r.to();
        if (r.answered() && r.seen(Sighting.Kind.REPLY, 1)) {
            return new Diagnosis(true, 0, dst.label() + " on " + to.label() + " answered; the reply came back "
                    + (from.vxlan() ? "through the tunnel" : "over the routes"));
        }
        Optional<Problem> p = end(src, 1, 2, 3)
                .or(() -> toward(from, to, dst.ip(), from.vxlan() ? 4 : 5))
                .or(() -> size(r, from))
                .or(() -> lostOnTheWay(r, Sighting.Kind.REQUEST, from, to, new int[] {4, 5, 6, 7, 8}))
                .or(() -> end(dst, 10, 9, 8))
                .or(() -> toward(to, from, src.ip(), to.vxlan() ? 7 : 6))
                .or(() -> lostOnTheWay(r, Sighting.Kind.REPLY, to, from, new int[] {7, 6, 5, 4, 3}));
        if (p.isPresent()) {
            return new Diagnosis(false, p.get().hop(), p.get().reason());
        }
        if (r.seen(Sighting.Kind.REQUEST, 10) && !r.seen(Sighting.Kind.REPLY, 10)) {
            return new Diagnosis(false, 10, dst.label() + " received the probe but did not answer (nothing listening, or a firewall)");
        }
        int last = r.lastHopReached(Sighting.Kind.REQUEST);
        return new Diagnosis(r.answered(), r.answered() ? 0 : last, r.answered() ? dst.label() + " answered"
                : "the probe was last seen at hop " + last);
    }

    /** A pod end: its interface up with its address, its veth up and a port of the bridge. */
    private static Optional<Problem> end(Endpoint e, int podHop, int vethHop, int bridgeHop) {
        if (!e.netns().exists()) {
            return Optional.of(new Problem(podHop, "the namespace of " + e.label() + " is gone"));
        }
        try (NetlinkHandle h = NetlinkHandle.open(e.netns())) {
            Optional<Link> l = h.links().get(e.ifname());
            if (l.isEmpty() || !l.get().isUp()) {
                return Optional.of(new Problem(podHop, e.label() + "'s " + e.ifname() + " is " + (l.isEmpty() ? "missing" : "down")));
            }
            if (h.addresses().list(e.ifname(), 0).stream().noneMatch(a -> a.cidr().address().equals(e.ip()))) {
                return Optional.of(new Problem(podHop, e.label() + "'s " + e.ifname() + " has no address " + Cidr.text(e.ip())));
            }
        }
        if (e.hostVeth() == null) {
            return Optional.of(new Problem(vethHop, e.label() + "'s " + e.ifname() + " has no veth peer on its node"));
        }
        try (NetlinkHandle n = NetlinkHandle.open(e.node())) {
            Optional<Link> v = n.links().get(e.hostVeth());
            if (v.isEmpty() || !v.get().isUp()) {
                return Optional.of(new Problem(vethHop, "the host end " + e.hostVeth() + " is " + (v.isEmpty() ? "gone" : "down")));
            }
            if (e.bridge() == null || !v.get().hasMaster()) {
                return Optional.of(new Problem(bridgeHop, e.hostVeth() + " is not a port of any bridge"));
            }
        }
        return Optional.empty();
    }

    /** On {@code here}: the route to {@code there}'s subnet and, for VXLAN, its neighbour and FDB entry. */
    private static Optional<Problem> toward(NodePath here, NodePath there, InetAddress pod, int hop) {
        if (there.subnet() == null) {
            return Optional.empty();
        }
        String on = " on " + here.label();
        try (NetlinkHandle h = NetlinkHandle.open(here.node())) {
            Route r;
            try {
                r = h.routes().get(pod);
            } catch (NetlinkException e) {
                r = null;
            }
            if (here.vxlan()) {
                int dev = h.links().require(here.tunnel()).index();
                InetAddress gw = there.subnet().address();
                if (r == null || r.oif() != dev || !gw.equals(r.gateway())) {
                    return Optional.of(new Problem(hop, "route missing" + on + ": no " + there.subnet() + " via " + Cidr.text(gw)
                            + " dev " + here.tunnel() + " onlink, so " + Cidr.text(pod) + " is not sent into the tunnel"
                            + (r == null ? " (no route at all)" : " (it would leave via " + via(h, r) + ")")));
                }
                if (there.vtepMac() == null) {
                    return Optional.empty();
                }
                boolean neigh = h.neighbours().list(Sockets.AF_INET, dev).stream().anyMatch(n -> gw.equals(n.ip())
                        && there.vtepMac().equals(n.mac()) && (n.state() & Neighbour.NUD_PERMANENT) != 0);
                if (!neigh) {
                    return Optional.of(new Problem(hop, "neighbour entry missing" + on + ": " + Cidr.text(gw) + " lladdr "
                            + there.vtepMac() + " dev " + here.tunnel() + " (permanent), so the route's gateway has no MAC"));
                }
                boolean fdb = false;
                for (RemoteFdbEntry e : h.fdb().listRemote(dev)) {
                    fdb |= e.mac().equals(there.vtepMac()) && e.dst().equals(there.underlayIp());
                }
                if (!fdb) {
                    return Optional.of(new Problem(hop, "FDB entry missing" + on + ": " + there.vtepMac() + " dev " + here.tunnel()
                            + " dst " + Cidr.text(there.underlayIp()) + ", so the tunnel does not know where "
                            + there.label() + "'s VTEP is"));
                }
            } else if (r == null || !there.underlayIp().equals(r.gateway())) {
                return Optional.of(new Problem(hop, "route missing" + on + ": no " + there.subnet() + " via "
                        + Cidr.text(there.underlayIp()) + (r == null ? "" : " (it would leave via " + via(h, r) + ")")));
            }
        }
        return Optional.empty();
    }

    private static String via(NetlinkHandle h, Route r) {
        String dev = h.links().get(r.oif()).map(Link::name).orElse("#" + r.oif());
        return (r.gateway() != null ? Cidr.text(r.gateway()) + " " : "") + "dev " + dev;
    }

    /**
     * Packets the underlay cannot carry: the tunnel's MTU plus VXLAN's 50 bytes above this
     * node's or the peer's underlay MTU (host-gw: the peer's underlay smaller than ours). Only
     * looked at when the probe went unanswered: small packets get through such a path.
     */
    private static Optional<Problem> size(CrossNodeResult r, NodePath from) {
        NodePath to = r.to();
        String probe = r.probe() instanceof Probe.UdpSized s ? " (this probe: " + (s.size() + 28) + " bytes of IP)" : "";
        if (from.vxlan() && from.tunnelMtu() + 50 > Math.min(from.underlayMtu(), to.underlayMtu())) {
            boolean here = from.underlayMtu() <= to.underlayMtu();
            NodePath small = here ? from : to;
            return Optional.of(new Problem(here ? 5 : 6, "packet too big for the underlay: " + from.tunnel() + " on "
                    + from.label() + " has MTU " + from.tunnelMtu() + ", so its VXLAN packets reach " + (from.tunnelMtu() + 50)
                    + " bytes, but " + small.label() + "'s " + small.underlay() + " has MTU " + small.underlayMtu()
                    + " (" + from.tunnel() + " should be " + (Math.min(from.underlayMtu(), to.underlayMtu()) - 50) + ")" + probe));
        }
        if (!from.vxlan() && from.underlayMtu() > to.underlayMtu()) {
            return Optional.of(new Problem(6, "packet too big for the underlay: " + from.label() + " sends up to "
                    + from.underlayMtu() + " bytes, " + to.label() + "'s " + to.underlay() + " takes " + to.underlayMtu() + probe));
        }
        return Optional.empty();
    }

    /** Seen at one hop of {@code order} and not at the next: the step in between lost it. */
    private static Optional<Problem> lostOnTheWay(CrossNodeResult r, Sighting.Kind kind, NodePath a, NodePath b, int[] order) {
        boolean vxlan = a.vxlan();
        for (int i = 0; i + 1 < order.length; i++) {
            int here = order[i], next = order[i + 1];
            if (!hasHop(r, here) || !hasHop(r, next) || !r.seen(kind, here) || r.seen(kind, next)) {
                continue;
            }
            String what = kind == Sighting.Kind.REQUEST ? "the probe" : "the answer";
            boolean underlayGap = (here == 5 && next == 6) || (here == 6 && next == 5);
            if (underlayGap) {
                return Optional.of(new Problem(next, what + (vxlan ? " left " + a.label() + " as UDP 8472 (VXLAN) but never reached "
                        : " left " + a.label() + " but never reached ") + b.label() + "'s " + b.underlay()
                        + (vxlan ? ": UDP 8472 dropped on the underlay (a firewall between the nodes?)" : ": dropped on the underlay")));
            }
            if ((here == 6 && next == 7) || (here == 5 && next == 4)) {
                return Optional.of(new Problem(next, what + " reached " + b.label() + "'s " + b.underlay() + " as UDP 8472 but not "
                        + b.tunnel() + ": UDP 8472 dropped on " + b.label() + " before decapsulation (a firewall rule?), or a VNI/port mismatch"));
            }
            if ((here == 4 && next == 5) || (here == 7 && next == 6)) {
                return Optional.of(new Problem(next, what + " was encapsulated on " + a.tunnel() + " but never left on " + a.underlay()
                        + ": too big for the underlay, or no route to " + b.label() + "'s address"));
            }
            return Optional.of(new Problem(next, what + " was seen at hop " + here + " but not at hop " + next));
        }
        return Optional.empty();
    }

    private static boolean hasHop(CrossNodeResult r, int n) {
        return r.hops().stream().anyMatch(h -> h.number() == n);
    }
}
