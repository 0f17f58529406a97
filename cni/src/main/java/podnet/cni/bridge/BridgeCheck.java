package podnet.cni.bridge;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import podnet.cni.spec.Call;
import podnet.cni.spec.CniError;
import podnet.cni.spec.Result;
import podnet.cni.spec.Result.IpConfig;
import podnet.cni.spec.Result.RouteEntry;
import podnet.cni.spec.Sandbox;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Route;
import podnet.linux.netlink.RtBatch;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;

/**
 * CHECK: the attachment described by prevResult is still in place — the bridge, the veth
 * pair (peer of each other, host end a port), the container's addresses and routes — and
 * IPAM still holds its lease.
 */
final class BridgeCheck {
    private BridgeCheck() {}

    static void check(Call call, BridgeConf conf, Ipam ipam) {
        Result prev = call.conf().prevResult();
        if (prev == null) {
            throw CniError.config("required prevResult missing");
        }
        if (ipam != null) {
            ipam.check(call);
        }
        Netns container = Sandbox.require(call.env().netns());
        String ifName = call.env().ifName();
        try (NetlinkHandle host = NetlinkHandle.open(); NetlinkHandle cont = ContainerSide.open(container)) {
            // The bridge and every host veth prevResult names, in one round trip.
            List<String> hostNames = new ArrayList<>(List.of(conf.bridge()));
            for (Result.Iface f : prev.interfaces()) {
                if ((f.sandbox() == null || f.sandbox().isEmpty()) && !f.name().equals(conf.bridge())) {
                    hostNames.add(f.name());
                }
            }
            Map<String, Link> hostLinks = hostLinks(host, hostNames);
            Link br = hostLinks.get(conf.bridge());
            if (!br.isBridge()) {
                throw fail("\"" + conf.bridge() + "\" is not a bridge");
            }
            Link c = cont.links().get(ifName).orElseThrow(() -> fail("container interface " + ifName + " not found in "
                    + call.env().netns()));
            if (!c.isVeth()) {
                throw fail("container interface " + ifName + " is not a veth");
            }
            int contIdx = interfaces(prev, ifName, c, conf, hostLinks, br);
            List<Address> addrs = cont.addresses().list(0).stream().filter(a -> a.index() == c.index()).toList();
            for (IpConfig ip : prev.ips()) {
                if (ip.iface() != null && ip.iface() == contIdx
                        && addrs.stream().noneMatch(a -> a.cidr().equals(ip.address()))) {
                    throw fail("address " + ip.address() + " not found on " + ifName);
                }
            }
            List<Route> rts = cont.routes().list(0);
            for (RouteEntry r : prev.routes()) {
                boolean found = rts.stream().anyMatch(k -> (r.dst().prefixLength() == 0 ? k.isDefault()
                        : k.destination() != null && k.destination().network().equals(r.dst().network()))
                        && (r.gw() == null || r.gw().equals(k.gateway())));
                if (!found) {
                    throw fail("route " + r.dst() + (r.gw() != null ? " via " + Cidr.text(r.gw()) : "")
                            + " not found in " + call.env().netns());
                }
            }
        }
    }

    /** Checks prevResult's interfaces against the links; returns the container interface's index in it. */
    private static int interfaces(Result prev, String ifName, Link c, BridgeConf conf, Map<String, Link> host, Link br) {
        int contIdx = -1;
        for (int i = 0; i < prev.interfaces().size(); i++) {
            Result.Iface f = prev.interfaces().get(i);
            if (f.sandbox() != null && !f.sandbox().isEmpty()) {
                if (f.name().equals(ifName)) {
                    contIdx = i;
                    if (f.mac() != null && c.mac() != null && !f.mac().equalsIgnoreCase(c.mac().toString())) {
                        throw fail("container interface " + ifName + " has MAC " + c.mac() + ", expected " + f.mac());
                    }
                }
            } else if (!f.name().equals(conf.bridge())) {
                Link h = host.get(f.name());
                if (h.masterIndex() != br.index()) {
                    throw fail("host veth " + f.name() + " is not a port of " + conf.bridge());
                }
                if (h.index() != c.linkIndex()) {
                    throw fail("host veth " + f.name() + " is not the peer of " + ifName);
                }
            }
        }
        if (contIdx < 0) {
            throw fail("prevResult has no interface " + ifName + " with a sandbox");
        }
        return contIdx;
    }

    /** The named links of the node, fetched in one batch; the first missing one fails the CHECK. */
    private static Map<String, Link> hostLinks(NetlinkHandle host, List<String> names) {
        RtBatch b = host.batch();
        names.forEach(b::getLink);
        List<Link> links;
        try {
            links = b.send();
        } catch (NetlinkException e) {
            if (!e.is(Errno.ENODEV) || b.failedStep() < 0) {
                throw e;
            }
            throw fail(b.failedStep() == 0 ? "bridge " + names.getFirst() + " not found"
                    : "host veth " + names.get(b.failedStep()) + " not found");
        }
        Map<String, Link> out = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            out.put(names.get(i), links.get(i));
        }
        return out;
    }

    private static CniError fail(String msg) {
        return new CniError(CniError.INTERNAL, "CHECK: " + msg);
    }
}
