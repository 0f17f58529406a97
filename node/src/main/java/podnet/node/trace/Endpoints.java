package podnet.node.trace;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Optional;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;
import podnet.node.pod.PodRecord;
import podnet.node.pod.Pods;

/**
 * Resolves what the user typed into an {@link Endpoint}: a pod name, {@code NETNS} (its eth0's
 * IPv4 address) or {@code NETNS/IP}. The host end of the veth is found by index in the node
 * namespace, checked by its own peer index pointing back.
 */
public final class Endpoints {
    private Endpoints() {}

    public static Endpoint resolve(String spec, Pods pods, Netns defaultNode) {
        if (pods != null && spec.indexOf('/') < 0 && pods.exists(spec)) { // NETNS/IP is never a pod name
            PodRecord r = pods.require(spec);
            Netns node = r.nodeNetns() == null ? Netns.CURRENT : Netns.named(r.nodeNetns());
            InetAddress ip = r.ip() == null ? null : Cidr.parse(r.ip()).address();
            return complete(spec, Netns.named(r.netns()), "eth0", ip, node);
        }
        String nsName = spec;
        InetAddress ip = null;
        int slash = spec.indexOf('/');
        if (slash > 0) {
            nsName = spec.substring(0, slash);
            ip = Cidr.parseAddress(spec.substring(slash + 1));
        }
        if (!NamedNetns.exists(nsName)) {
            throw new IllegalArgumentException("\"" + spec + "\" is neither a pod nor a network namespace"
                    + " (give a pod name, NETNS or NETNS/IP)");
        }
        Netns ns = Netns.named(nsName);
        try (NetlinkHandle h = NetlinkHandle.open(ns)) {
            Address a = pick(h, ip);
            String ifname = h.links().require(a.index()).name();
            return complete(spec, ns, ifname, a.cidr().address(), defaultNode);
        }
    }

    /** The address to trace: the given one (it must be there), else the first IPv4 of a non-lo link. */
    private static Address pick(NetlinkHandle h, InetAddress ip) {
        for (Address a : h.addresses().list(0)) {
            boolean lo = h.links().get(a.index()).map(l -> "lo".equals(l.name())).orElse(true);
            if (ip != null ? a.cidr().address().equals(ip) : !lo && a.cidr().address() instanceof Inet4Address) {
                return a;
            }
        }
        throw new IllegalArgumentException(ip == null ? "no IPv4 address in " + h.netns().label()
                : Cidr.text(ip) + " is not an address in " + h.netns().label());
    }

    private static Endpoint complete(String label, Netns ns, String ifname, InetAddress ip, Netns node) {
        try (NetlinkHandle h = NetlinkHandle.open(ns); NetlinkHandle n = NetlinkHandle.open(node)) {
            Link l = h.links().require(ifname);
            String hostVeth = null, bridge = null;
            if (l.isVeth() && l.linkIndex() != 0) {
                Optional<Link> peer = n.links().get(l.linkIndex()).filter(p -> p.linkIndex() == l.index());
                if (peer.isPresent()) {
                    hostVeth = peer.get().name();
                    if (peer.get().hasMaster()) {
                        bridge = n.links().get(peer.get().masterIndex()).map(Link::name).orElse(null);
                    }
                }
            }
            if (ip == null) {
                ip = h.addresses().list(ifname, 0).stream().map(a -> a.cidr().address())
                        .filter(a -> a instanceof Inet4Address).findFirst().orElse(null);
            }
            return new Endpoint(label, ns, ifname, ip, l.mac(), node, hostVeth, bridge);
        }
    }
}
