package podnet.cni.bridge;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.List;
import podnet.cni.spec.CniError;
import podnet.cni.spec.Result.IpConfig;
import podnet.cni.spec.Result.RouteEntry;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Route;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Sockets;
import podnet.linux.sysctl.Sysctl;

/** Inside the pod: the interface's sysctls, addresses, link state and routes, as the reference sets them. */
final class ContainerSide {
    private ContainerSide() {}

    static void configure(Netns container, NetlinkHandle cont, String ifName, List<IpConfig> ips,
            List<RouteEntry> routes, BridgeConf conf) {
        boolean v6 = false;
        InetAddress v4gw = null, v6gw = null;
        for (IpConfig ip : ips) {
            boolean v4 = ip.address().isIpv4();
            v6 |= !v4;
            if (v4 && v4gw == null) {
                v4gw = ip.gateway();
            } else if (!v4 && v6gw == null) {
                v6gw = ip.gateway();
            }
        }
        boolean anyV6 = v6;
        container.run(() -> sysctls(ifName, anyV6, conf.enableDad()));
        for (IpConfig ip : ips) {
            cont.addresses().add(ifName, ip.address());
        }
        if (conf.disableContainerInterface()) {
            return; // addresses are in place; routes need the link up
        }
        cont.links().setUp(ifName);
        if (v6 && conf.enableDad()) {
            settle(cont, ifName);
        }
        int oif = cont.links().require(ifName).index();
        for (RouteEntry r : routes) {
            addRoute(cont, ifName, oif, r, r.dst().isIpv4() ? v4gw : v6gw);
        }
    }

    /** Runs on a thread inside the pod's netns; each key best effort (IPv6 off in the pod, an old kernel). */
    private static void sysctls(String ifName, boolean anyV6, boolean enableDad) {
        if (enableDad) {
            set(Sysctl.conf("ipv6", ifName, "enhanced_dad"), "1", false);
            set(Sysctl.conf("ipv6", ifName, "accept_dad"), "1", false);
        } else {
            set(Sysctl.conf("ipv6", ifName, "accept_dad"), "0", false);
        }
        set(Sysctl.conf("ipv4", ifName, "arp_notify"), "1", false);
        if (anyV6) {
            for (String dev : List.of("lo", ifName)) {
                set(Sysctl.conf("ipv6", dev, "disable_ipv6"), "0", true);
            }
            set(Sysctl.conf("ipv6", ifName, "keep_addr_on_down"), "1", false);
        }
    }

    private static void set(String key, String value, boolean onlyIfDifferent) {
        try {
            if (onlyIfDifferent) {
                Sysctl.ensure(Netns.CURRENT, key, value);
            } else {
                Sysctl.set(Netns.CURRENT, key, value);
            }
        } catch (UncheckedIOException e) {
            // like the reference, not fatal
        }
    }

    private static void addRoute(NetlinkHandle cont, String ifName, int oif, RouteEntry r, InetAddress familyGw) {
        InetAddress gw = r.gw() != null ? r.gw() : familyGw;
        Route base = Route.of(r.dst().prefixLength() == 0 ? null : r.dst(), gw, oif);
        if (r.dst().prefixLength() == 0) {
            base = new Route(r.dst().isIpv4() ? Sockets.AF_INET : Sockets.AF_INET6, null, gw, oif, base.table(),
                    base.protocol(), base.scope(), base.type(), 0, null, 0);
        }
        Route route = new Route(base.family(), base.destination(), gw, oif,
                r.table() != null ? r.table() : base.table(), base.protocol(),
                r.scope() != null ? r.scope() : base.scope(), base.type(),
                r.priority() != null ? r.priority() : 0, null, r.mtu() != null ? r.mtu() : 0);
        try {
            cont.routes().add(route);
        } catch (NetlinkException e) {
            throw new CniError(CniError.INTERNAL, "failed to add route '" + r.dst() + " via "
                    + (gw == null ? "-" : Cidr.text(gw)) + " dev " + ifName + "': " + e.getMessage(), null, e);
        }
    }

    /** Waits (up to 10 s) for DAD to finish on the container's IPv6 addresses. */
    private static void settle(NetlinkHandle cont, String ifName) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<Address> addrs = cont.addresses().list(ifName, Sockets.AF_INET6);
            boolean tentative = false;
            for (Address a : addrs) {
                if ((a.flags() & Address.IFA_F_DADFAILED) != 0) {
                    throw new CniError(CniError.INTERNAL, "IPv6 duplicate address detection failed on " + ifName);
                }
                tentative |= a.isTentative();
            }
            if (!tentative) {
                return;
            }
            Pause.ms(50);
        }
        throw new CniError(CniError.INTERNAL, "IPv6 addresses on " + ifName + " still tentative after 10 s");
    }
}
