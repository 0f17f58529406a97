package podnet.node.trace;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import podnet.linux.packet.CapturedPacket;
import podnet.linux.packet.decode.EthernetFrame;
import podnet.linux.packet.decode.FrameDecoder;
import podnet.linux.packet.decode.Ipv4Packet;
import podnet.linux.packet.decode.Summary;
import podnet.linux.packet.decode.VxlanDatagram;

/**
 * A trace between pods on two nodes: captures on the source pod's eth0, its host veth, the
 * bridge, the VXLAN device (where the frame is encapsulated), the underlay of each node (the
 * outer UDP 8472 packet, decoded with its inner frame), then the same in reverse on the
 * destination node, sends one probe, and says where it stopped and why.
 */
public final class CrossNodeTracer {
    private CrossNodeTracer() {}

    /** Whether the two ends sit on different nodes (then {@link #trace} applies). */
    public static boolean crossesNodes(Endpoint a, Endpoint b) {
        return !a.node().equals(b.node());
    }

    public static List<Hop> hops(Endpoint src, Endpoint dst, NodePath from, NodePath to) {
        List<Hop> hops = new ArrayList<>();
        hops.add(new Hop(1, src.label() + " " + src.ifname(), src.netns(), src.ifname()));
        if (src.hostVeth() != null) {
            hops.add(new Hop(2, "host end of " + src.label() + "'s veth on " + from.label(), src.node(), src.hostVeth()));
        }
        if (from.bridge() != null) {
            hops.add(new Hop(3, "bridge on " + from.label(), src.node(), from.bridge()));
        }
        if (from.vxlan()) {
            hops.add(new Hop(4, "VXLAN device on " + from.label() + " (encapsulates)", src.node(), from.tunnel()));
        }
        if (from.underlay() != null) {
            hops.add(new Hop(5, "underlay of " + from.label(), src.node(), from.underlay()));
        }
        if (to.underlay() != null) {
            hops.add(new Hop(6, "underlay of " + to.label(), dst.node(), to.underlay()));
        }
        if (to.vxlan()) {
            hops.add(new Hop(7, "VXLAN device on " + to.label() + " (decapsulates)", dst.node(), to.tunnel()));
        }
        if (to.bridge() != null) {
            hops.add(new Hop(8, "bridge on " + to.label(), dst.node(), to.bridge()));
        }
        if (dst.hostVeth() != null) {
            hops.add(new Hop(9, "host end of " + dst.label() + "'s veth on " + to.label(), dst.node(), dst.hostVeth()));
        }
        hops.add(new Hop(10, dst.label() + " " + dst.ifname(), dst.netns(), dst.ifname()));
        return hops;
    }

    public static CrossNodeResult trace(Endpoint src, Endpoint dst, Probe probe) {
        if (src.ip() == null || dst.ip() == null) {
            throw new IllegalArgumentException("both ends need an IPv4 address");
        }
        NodePath from = NodePath.read(src.node(), src.bridge());
        NodePath to = NodePath.read(dst.node(), dst.bridge());
        List<Hop> hops = hops(src, dst, from, to);
        boolean[] answered = new boolean[1];
        List<Sighting> seen = PathTracer.watch(hops, (hop, p) -> classify(hop, p, src.ip(), dst.ip()),
                () -> answered[0] = probe.send(src, dst));
        CrossNodeResult partial = new CrossNodeResult(src, dst, from, to, probe, hops, seen, answered[0], null);
        return new CrossNodeResult(src, dst, from, to, probe, hops, seen, answered[0], CrossNodeDiagnosis.of(partial));
    }

    /** A request or answer between the pods: as it is, or inside a VXLAN datagram on the underlay. */
    static Sighting classify(Hop hop, CapturedPacket p, InetAddress a, InetAddress b) {
        EthernetFrame f = FrameDecoder.decode(p.data(), p.wireLength());
        Ipv4Packet ip = f.payload() instanceof Ipv4Packet outer ? outer : null;
        if (ip != null && ip.payload() instanceof VxlanDatagram v && v.inner().payload() instanceof Ipv4Packet inner) {
            ip = inner;
        }
        if (ip == null) {
            return null;
        }
        Sighting.Kind kind = a.equals(ip.source()) && b.equals(ip.destination()) ? Sighting.Kind.REQUEST
                : b.equals(ip.source()) && a.equals(ip.destination()) ? Sighting.Kind.REPLY : null;
        return kind == null ? null : new Sighting(hop, p.timestampNanos(), p.type(), kind, Summary.of(f));
    }
}
