package podnet.cni.bridge;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.List;
import podnet.cni.spec.CniError;
import podnet.cni.spec.Result.IpConfig;
import podnet.cni.spec.Result.RouteEntry;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.InetConf;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.LinkChange;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Route;
import podnet.linux.netlink.RtBatch;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Sockets;
import podnet.linux.sysctl.Sysctl;

/**
 * Inside the pod: the interface's sysctls, addresses, link state and routes, as the reference
 * sets them. The pod's netns is entered once per call, to set the IPv6 sysctls (/proc/sys
 * answers for the opener's netns; the kernel takes no IPv6 devconf by netlink) and open the
 * handle everything else goes through; arp_notify, addresses, link up and routes then take one
 * round trip.
 */
final class ContainerSide {
    private ContainerSide() {}

    /** A handle opened inside the pod's netns, on one short-lived thread there. */
    static NetlinkHandle open(Netns container) {
        return container.call(() -> NetlinkHandle.openHere(container));
    }

    /** {@link #open}, setting CNI_IFNAME's sysctls while inside (before it goes up, as they must be). */
    static NetlinkHandle enter(Netns container, String ifName, List<IpConfig> ips, BridgeConf conf) {
        boolean anyV6 = ips.stream().anyMatch(ip -> !ip.address().isIpv4());
        return container.call(() -> {
            sysctls(ifName, anyV6, conf.enableDad());
            return NetlinkHandle.openHere(container);
        });
    }

    /** Addresses, then link up and routes; returns the interface as it is afterwards. */
    static Link configure(NetlinkHandle cont, int index, String ifName, List<IpConfig> ips, List<RouteEntry> routes,
            BridgeConf conf) {
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
        // arp_notify as the reference sets it before the addresses and link up, but by netlink:
        // a /proc/sys open walks a path that grows with the node's namespaces. Best effort, as there.
        RtBatch b = cont.batch().setIpv4Conf(index, InetConf.IPV4_ARP_NOTIFY, 1).optional();
        for (IpConfig ip : ips) {
            b.addAddress(index, ip.address());
        }
        if (conf.disableContainerInterface()) {
            return send(b.getLink(index), ifName, -1).getFirst(); // addresses are in place; routes need the link up
        }
        b.setLink(index, LinkChange.setUp());
        if (v6 && conf.enableDad()) {
            send(b, ifName, -1);
            settle(cont, ifName);
            b = cont.batch();
        }
        int firstRoute = b.size();
        for (RouteEntry r : routes) {
            b.addRoute(route(index, r, r.dst().isIpv4() ? v4gw : v6gw));
        }
        return send(b.getLink(index), ifName, firstRoute).getFirst();
    }

    /** Sends the batch; a refused route is reported as the reference words it. */
    private static List<Link> send(RtBatch b, String ifName, int firstRoute) {
        try {
            return b.send();
        } catch (NetlinkException e) {
            if (firstRoute >= 0 && b.failedStep() >= firstRoute) {
                throw new CniError(CniError.INTERNAL, "failed to add route on " + ifName + ": " + e.getMessage(), null, e);
            }
            throw e;
        }
    }

    /**
     * Runs on a thread inside the pod's netns; each key best effort (IPv6 off in the pod, an old
     * kernel). The reference's arp_notify is set by {@link #configure}, through netlink.
     */
    private static void sysctls(String ifName, boolean anyV6, boolean enableDad) {
        if (enableDad) {
            set(Sysctl.conf("ipv6", ifName, "enhanced_dad"), "1", false);
            set(Sysctl.conf("ipv6", ifName, "accept_dad"), "1", false);
        } else {
            set(Sysctl.conf("ipv6", ifName, "accept_dad"), "0", false);
        }
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

    private static Route route(int oif, RouteEntry r, InetAddress familyGw) {
        InetAddress gw = r.gw() != null ? r.gw() : familyGw;
        Route base = Route.of(r.dst().prefixLength() == 0 ? null : r.dst(), gw, oif);
        if (r.dst().prefixLength() == 0) {
            base = new Route(r.dst().isIpv4() ? Sockets.AF_INET : Sockets.AF_INET6, null, gw, oif, base.table(),
                    base.protocol(), base.scope(), base.type(), 0, null, 0);
        }
        return new Route(base.family(), base.destination(), gw, oif,
                r.table() != null ? r.table() : base.table(), base.protocol(),
                r.scope() != null ? r.scope() : base.scope(), base.type(),
                r.priority() != null ? r.priority() : 0, null, r.mtu() != null ? r.mtu() : 0);
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
