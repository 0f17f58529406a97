package podnet.cni.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import podnet.cni.spec.CniError;
import podnet.cni.spec.Result;
import podnet.cni.spec.Result.IpConfig;
import podnet.cni.spec.Result.RouteEntry;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;
import podnet.linux.sys.Sockets;
import podnet.linux.sysctl.Sysctl;

/** Gateway addresses, interface indexes and default routes derived from the IPAM result. */
record Gateways(List<IpConfig> ips, List<RouteEntry> routes, List<Cidr> bridgeAddresses) {

    static Gateways of(Result ipam, BridgeConf conf) {
        List<IpConfig> ips = new ArrayList<>();
        List<RouteEntry> routes = new ArrayList<>(ipam.routes());
        List<Cidr> bridge = new ArrayList<>();
        boolean v4Default = false, v6Default = false;
        for (IpConfig ip : ipam.ips()) {
            IpConfig c = ip.withIface(2);
            if (c.gateway() == null && conf.isGateway()) {
                c = c.withGateway(Cidr.add(c.address().network().address(), 1));
            }
            boolean v4 = c.address().isIpv4();
            if (conf.isDefaultGateway() && c.gateway() != null && !(v4 ? v4Default : v6Default)) {
                boolean exists = false;
                for (RouteEntry r : routes) {
                    exists |= r.gw() != null && r.dst().prefixLength() == 0 && r.dst().isIpv4() == v4;
                }
                if (!exists) {
                    routes.add(new RouteEntry(Cidr.parse(v4 ? "0.0.0.0/0" : "::/0"), c.gateway()));
                }
                if (v4) {
                    v4Default = true;
                } else {
                    v6Default = true;
                }
            }
            if (conf.isGateway() && c.gateway() != null) {
                Cidr gw = new Cidr(c.gateway(), c.address().prefixLength());
                if (!bridge.contains(gw)) {
                    bridge.add(gw);
                }
            }
            ips.add(c);
        }
        return new Gateways(ips, routes, bridge);
    }

    /**
     * isGateway: the gateway addresses on the bridge and forwarding on for their families. An
     * address this ADD put there is taken back by {@code undo} unless a port other than
     * {@code hostVeth} (another pod) is on the bridge by then.
     */
    void applyTo(NetlinkHandle host, Link bridge, boolean forceAddress, String hostVeth, Undo undo) {
        boolean gw4 = false, gw6 = false;
        String br = bridge.name();
        for (Cidr gw : bridgeAddresses) {
            if (ensureAddr(host, bridge, gw, forceAddress)) {
                undo.push("delete address " + gw + " of " + br, () -> {
                    if (!HostBridge.hasPorts(host, br, hostVeth)) {
                        host.addresses().delete(br, gw);
                    }
                });
            }
            gw4 |= gw.isIpv4();
            gw6 |= !gw.isIpv4();
        }
        if (gw4) {
            forwardingOn(host, Sockets.AF_INET, "net/ipv4/ip_forward");
        }
        if (gw6) {
            forwardingOn(host, Sockets.AF_INET6, "net/ipv6/conf/all/forwarding");
        }
    }

    /**
     * The reference's "1 unless it reads 1", read by netlink (RTM_GETNETCONF, on the handle we
     * have) instead of a /proc/sys open; the write, when one is needed, stays a sysctl.
     */
    private static void forwardingOn(NetlinkHandle host, int family, String key) {
        OptionalInt now;
        try {
            now = host.forwarding().get(family);
        } catch (NetlinkException e) {
            now = OptionalInt.empty(); // an old kernel: read it from /proc/sys
        }
        Sysctl.ensure(Netns.CURRENT, key, "1", now);
    }

    /** Puts the gateway address on the bridge, as the reference's ensureAddr; true if this call added it. */
    static boolean ensureAddr(NetlinkHandle host, Link bridge, Cidr gw, boolean force) {
        int family = gw.isIpv4() ? Sockets.AF_INET : Sockets.AF_INET6;
        String br = bridge.name();
        for (Address a : host.addresses().list(family)) {
            if (a.index() != bridge.index()) {
                continue;
            }
            if (a.cidr().equals(gw)) {
                return false;
            }
            if (gw.isIpv4() || a.cidr().contains(gw.address()) || gw.contains(a.cidr().address())) {
                if (force) {
                    host.addresses().delete(br, a.cidr());
                } else {
                    throw new CniError(CniError.INTERNAL, "\"" + br + "\" already has an IP address different from "
                            + gw + " (set \"forceAddress\" to replace it)");
                }
            }
        }
        boolean added = true;
        try {
            host.addresses().add(br, gw);
        } catch (NetlinkException e) {
            if (!e.is(Errno.EEXIST)) {
                throw e;
            }
            added = false; // a concurrent ADD was first
        }
        // Pin the bridge's MAC to itself, or it follows the lowest port MAC as veths come and go.
        Link l = host.links().require(br);
        if (l.mac() != null) {
            host.links().setMac(br, l.mac());
        }
        return added;
    }
}
