package podnet.cni.bridge;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import podnet.cni.spec.Call;
import podnet.cni.spec.CniError;
import podnet.cni.spec.CniPlugin;
import podnet.cni.spec.Result;
import podnet.cni.spec.Result.IpConfig;
import podnet.cni.spec.Result.RouteEntry;
import podnet.cni.spec.Sandbox;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.BridgePort;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.Links;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Route;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.nftables.Masquerade;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;
import podnet.linux.sys.Sockets;
import podnet.linux.sysctl.Sysctl;

/**
 * The bridge plugin: a veth pair per attachment, the host end a port of the bridge, addresses
 * from IPAM inside the pod, the gateway on the bridge. Same options and order of operations as
 * the reference; unlike it, a failed ADD takes back everything it did.
 */
public final class Bridge implements CniPlugin {
    /** The host veth's name's form: "veth" + 8 hex digits, like the reference. */
    static final String HOST_PREFIX = "veth";
    private static final int[] OPER_UP_WAIT_MS = {0, 1, 1, 2, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 1000};

    @Override
    public Result add(Call call) {
        BridgeConf conf = BridgeConf.parse(call);
        Netns container = Sandbox.require(call.env().netns());
        String ifName = call.env().ifName();
        Undo undo = new Undo();
        try (NetlinkHandle host = NetlinkHandle.open(); NetlinkHandle cont = NetlinkHandle.open(container)) {
            try {
                Link br = ensureBridge(host, conf);
                String hostVeth = createVeth(host, cont, ifName, conf, undo);
                plugIntoBridge(host, hostVeth, br, conf);
                if (conf.macSpoofCheck()) {
                    var mac = cont.links().require(ifName).mac();
                    try (SpoofCheck sc = SpoofCheck.open(Netns.CURRENT)) {
                        sc.add(hostVeth, mac, call.env().containerId(), ifName);
                    }
                    undo.push("macspoofchk rule", () -> {
                        try (SpoofCheck sc = SpoofCheck.open(Netns.CURRENT)) {
                            sc.remove(call.env().containerId(), ifName);
                        }
                    });
                }

                List<IpConfig> ips = List.of();
                List<RouteEntry> routes = List.of();
                Result.Dns dns = Result.Dns.EMPTY;
                if (conf.layer3()) {
                    Result ipam = IpamDelegate.add(call, conf.ipamType());
                    undo.push("IPAM DEL", () -> IpamDelegate.del(call, conf.ipamType()));
                    if (ipam.ips().isEmpty()) {
                        throw new CniError(CniError.INTERNAL, "IPAM plugin returned missing IP config");
                    }
                    Gateways gws = Gateways.of(ipam, conf);
                    ips = gws.ips();
                    routes = gws.routes();
                    dns = ipam.dns();
                    configureContainer(container, cont, ifName, ips, routes, conf);
                    if (conf.isGateway()) {
                        for (Cidr gw : gws.bridgeAddresses()) {
                            ensureAddr(host, br.name(), gw, conf.forceAddress());
                        }
                        boolean gw4 = false, gw6 = false;
                        for (Cidr gw : gws.bridgeAddresses()) {
                            gw4 |= gw.isIpv4();
                            gw6 |= !gw.isIpv4();
                        }
                        if (gw4) {
                            Sysctl.ensure(Netns.CURRENT, "net/ipv4/ip_forward", "1");
                        }
                        if (gw6) {
                            Sysctl.ensure(Netns.CURRENT, "net/ipv6/conf/all/forwarding", "1");
                        }
                    }
                    if (conf.ipMasq()) {
                        try (Masquerade masq = Masquerade.open(Netns.CURRENT)) {
                            for (IpConfig ip : ips) {
                                InetAddress a = ip.address().address();
                                masq.ensureNetwork(call.conf().name(), ip.address().network());
                                masq.add(call.conf().name(), a);
                                undo.push("masquerade remove " + Cidr.text(a), () -> {
                                    try (Masquerade m = Masquerade.open(Netns.CURRENT)) {
                                        m.remove(call.conf().name(), a);
                                    }
                                });
                            }
                        }
                    }
                } else if (!conf.disableContainerInterface()) {
                    cont.links().setUp(ifName);
                }
                if (!conf.disableContainerInterface()) {
                    waitOperUp(host, hostVeth);
                }
                Link brNow = host.links().require(br.name());
                Link hostNow = host.links().require(hostVeth);
                Link contNow = cont.links().require(ifName);
                List<Result.Iface> ifaces = List.of(
                        new Result.Iface(brNow.name(), mac(brNow), null),
                        new Result.Iface(hostNow.name(), mac(hostNow), null),
                        new Result.Iface(ifName, mac(contNow), call.env().netns()));
                if (!conf.dns().isEmpty()) {
                    dns = conf.dns();
                }
                return new Result(call.conf().cniVersion(), ifaces, ips, routes, dns);
            } catch (Throwable t) {
                undo.runAll(t);
                throw t;
            }
        }
    }

    private static String mac(Link l) {
        return l.mac() == null ? null : l.mac().toString();
    }

    // ---- the bridge ---------------------------------------------------------------------------

    static Link ensureBridge(NetlinkHandle host, BridgeConf conf) {
        Optional<Link> existing = host.links().get(conf.bridge());
        Link br;
        if (existing.isPresent()) {
            br = existing.get();
        } else {
            try {
                br = host.links().addBridge(conf.bridge(), conf.mtu(), conf.vlanFiltering());
            } catch (NetlinkException e) {
                if (e.is(Errno.EOPNOTSUPP) && conf.vlanFiltering()) {
                    throw noVlanFiltering(e);
                }
                if (!e.is(Errno.EEXIST)) {
                    throw e;
                }
                br = host.links().require(conf.bridge()); // another ADD created it meanwhile
            }
        }
        if (!br.isBridge()) {
            throw CniError.config("\"" + conf.bridge() + "\" already exists but is not a bridge");
        }
        if (conf.promiscMode() && !br.isPromisc()) {
            host.links().setPromisc(br.name(), true);
        }
        if (conf.vlanFiltering() && (br.bridge() == null || !br.bridge().vlanFiltering())) {
            try {
                host.links().setBridgeVlanFiltering(br.name(), true);
            } catch (NetlinkException e) {
                throw e.is(Errno.EOPNOTSUPP) ? noVlanFiltering(e) : e;
            }
        }
        bestEffortSysctl(Sysctl.conf("ipv6", br.name(), "accept_ra"), "0");
        if (!br.isUp()) {
            host.links().setUp(br.name());
        }
        return host.links().require(br.name());
    }

    private static CniError noVlanFiltering(NetlinkException e) {
        return new CniError(CniError.UNSUPPORTED_FIELD, "\"vlan\"/\"vlanTrunk\": this kernel's bridge has no VLAN filtering"
                + " (CONFIG_BRIDGE_VLAN_FILTERING): " + e.getMessage(), null, e);
    }

    private static void bestEffortSysctl(String key, String value) {
        try {
            Sysctl.ensure(Netns.CURRENT, key, value);
        } catch (RuntimeException e) {
            // IPv6 may be disabled on the node: the reference ignores this too
        }
    }

    // ---- the veth -----------------------------------------------------------------------------

    private static String createVeth(NetlinkHandle host, NetlinkHandle cont, String ifName, BridgeConf conf, Undo undo) {
        if (cont.links().get(ifName).isPresent()) {
            throw new CniError(CniError.INTERNAL, "container veth name provided (" + ifName + ") already exists");
        }
        Netns hostNs = Netns.ofPath(Sandbox.SELF); // opened on this thread: the caller's netns
        for (int attempt = 0; ; attempt++) {
            String hostName = HOST_PREFIX + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            try {
                cont.links().addVeth(ifName, hostName, hostNs, conf.mtu());
            } catch (NetlinkException e) {
                if (e.is(Errno.EEXIST) && attempt < 10 && cont.links().get(ifName).isEmpty()) {
                    continue; // the random host name was taken
                }
                throw e;
            }
            undo.push("delete veth " + ifName, () -> {
                if (!cont.links().deleteIfExists(ifName)) {
                    host.links().deleteIfExists(hostName);
                }
            });
            if (conf.mac() != null) {
                cont.links().setMac(ifName, conf.mac());
            }
            return hostName;
        }
    }

    private static void plugIntoBridge(NetlinkHandle host, String hostVeth, Link br, BridgeConf conf) {
        host.links().setUp(hostVeth);
        bestEffortSysctl(Sysctl.conf("ipv6", hostVeth, "accept_ra"), "0");
        host.links().setMaster(hostVeth, br.name());
        if (conf.hairpinMode() || conf.portIsolation()) {
            host.links().setBridgePort(hostVeth, new BridgePort.Change(conf.hairpinMode() ? true : null, null,
                    conf.portIsolation() ? true : null));
        }
        if (conf.vlan() != 0) {
            host.links().bridgeVlanAdd(hostVeth, conf.vlan(), Links.BRIDGE_VLAN_INFO_PVID | Links.BRIDGE_VLAN_INFO_UNTAGGED);
        }
        for (int vid : conf.vlanTrunk()) {
            host.links().bridgeVlanAdd(hostVeth, vid, 0);
        }
        if (conf.vlanFiltering() && !conf.preserveDefaultVlan()) {
            try {
                host.links().bridgeVlanDel(hostVeth, 1);
            } catch (NetlinkException e) {
                if (!e.is(Errno.ENOENT) && !e.is(Errno.EINVAL)) {
                    throw e;
                }
            }
        }
    }

    // ---- inside the pod -----------------------------------------------------------------------

    private static void configureContainer(Netns container, NetlinkHandle cont, String ifName, List<IpConfig> ips,
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
        container.run(() -> {
            if (conf.enableDad()) {
                writeProc(Sysctl.conf("ipv6", ifName, "enhanced_dad"), "1", false);
                writeProc(Sysctl.conf("ipv6", ifName, "accept_dad"), "1", false);
            } else {
                writeProc(Sysctl.conf("ipv6", ifName, "accept_dad"), "0", false);
            }
            writeProc(Sysctl.conf("ipv4", ifName, "arp_notify"), "1", false);
            if (anyV6) {
                for (String dev : List.of("lo", ifName)) {
                    writeProc(Sysctl.conf("ipv6", dev, "disable_ipv6"), "0", true);
                }
                writeProc(Sysctl.conf("ipv6", ifName, "keep_addr_on_down"), "1", false);
            }
        });
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
            InetAddress gw = r.gw() != null ? r.gw() : (r.dst().isIpv4() ? v4gw : v6gw);
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
    }

    /** Writes /proc/sys/…; must run on a thread inside the target netns. */
    private static void writeProc(String key, String value, boolean onlyIfDifferent) {
        Path p = Sysctl.path(key);
        try {
            if (onlyIfDifferent && Files.readString(p).strip().equals(value)) {
                return;
            }
            Files.writeString(p, value, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            // IPv6 off in the pod or an old kernel: like the reference, not fatal
        }
    }

    /** Waits (up to 10 s) for DAD to finish on the container's IPv6 addresses. */
    private static void settle(NetlinkHandle cont, String ifName) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<Address> addrs = cont.addresses().list(ifName, Sockets.AF_INET6);
            if (addrs.stream().anyMatch(a -> (a.flags() & Address.IFA_F_DADFAILED) != 0)) {
                throw new CniError(CniError.INTERNAL, "IPv6 duplicate address detection failed on " + ifName);
            }
            if (addrs.stream().noneMatch(Address::isTentative)) {
                return;
            }
            sleep(50);
        }
        throw new CniError(CniError.INTERNAL, "IPv6 addresses on " + ifName + " still tentative after 10 s");
    }

    /** Puts the gateway address on the bridge, as the reference's ensureAddr. */
    static void ensureAddr(NetlinkHandle host, String br, Cidr gw, boolean force) {
        int family = gw.isIpv4() ? Sockets.AF_INET : Sockets.AF_INET6;
        for (Address a : host.addresses().list(br, family)) {
            if (a.cidr().equals(gw)) {
                return;
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
        try {
            host.addresses().add(br, gw);
        } catch (NetlinkException e) {
            if (!e.is(Errno.EEXIST)) {
                throw e;
            }
        }
        // Pin the bridge's MAC to itself, or it follows the lowest port MAC as veths come and go.
        Link l = host.links().require(br);
        if (l.mac() != null) {
            host.links().setMac(br, l.mac());
        }
    }

    private static void waitOperUp(NetlinkHandle host, String hostVeth) {
        Link l = null;
        for (int ms : OPER_UP_WAIT_MS) {
            sleep(ms);
            l = host.links().require(hostVeth);
            if (l.operState() == Link.OPER_UP) {
                return;
            }
        }
        throw new CniError(CniError.INTERNAL, "bridge port " + hostVeth + " in error state: " + l.operStateName());
    }

    private static void sleep(int ms) {
        if (ms <= 0) {
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CniError(CniError.TRY_AGAIN_LATER, "interrupted");
        }
    }

    // ---- DEL ----------------------------------------------------------------------------------

    @Override
    public void del(Call call) {
        BridgeConf conf = BridgeConf.parse(call);
        Netns container = Sandbox.ifExists(call.env().netns());
        Set<InetAddress> podIps = new LinkedHashSet<>();
        if (container != null) {
            try (NetlinkHandle cont = NetlinkHandle.open(container)) {
                Optional<Link> l = cont.links().get(call.env().ifName());
                if (l.isPresent()) {
                    for (Address a : cont.addresses().list(0)) {
                        if (a.index() == l.get().index() && a.scope() == Route.SCOPE_UNIVERSE) {
                            podIps.add(a.cidr().address());
                        }
                    }
                    try {
                        cont.links().delete(l.get().index());
                    } catch (NetlinkException e) {
                        if (!e.is(Errno.ENODEV)) {
                            throw e;
                        }
                    }
                }
            } catch (RuntimeException e) {
                if (Files.exists(Path.of(call.env().netns()))) {
                    throw e;
                }
                // the netns vanished while we worked: nothing left in it to delete
            }
        }
        if (conf.macSpoofCheck()) {
            try (SpoofCheck sc = SpoofCheck.open(Netns.CURRENT)) {
                sc.remove(call.env().containerId(), call.env().ifName());
            }
        }
        if (conf.layer3()) {
            podIps.addAll(IpamDelegate.del(call, conf.ipamType()));
            if (conf.ipMasq() && !podIps.isEmpty()) {
                try (Masquerade masq = Masquerade.open(Netns.CURRENT)) {
                    for (InetAddress a : podIps) {
                        masq.remove(call.conf().name(), a);
                    }
                }
            }
        }
    }

    // ---- CHECK --------------------------------------------------------------------------------

    @Override
    public void check(Call call) {
        BridgeConf conf = BridgeConf.parse(call);
        Result prev = call.conf().prevResult();
        if (prev == null) {
            throw CniError.config("required prevResult missing");
        }
        if (conf.layer3()) {
            IpamDelegate.check(call, conf.ipamType());
        }
        Netns container = Sandbox.require(call.env().netns());
        String ifName = call.env().ifName();
        try (NetlinkHandle host = NetlinkHandle.open(); NetlinkHandle cont = NetlinkHandle.open(container)) {
            Link br = host.links().get(conf.bridge()).orElseThrow(() -> fail("bridge " + conf.bridge() + " not found"));
            if (!br.isBridge()) {
                throw fail("\"" + conf.bridge() + "\" is not a bridge");
            }
            Link c = cont.links().get(ifName).orElseThrow(() -> fail("container interface " + ifName + " not found in "
                    + call.env().netns()));
            if (!c.isVeth()) {
                throw fail("container interface " + ifName + " is not a veth");
            }
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
                    Link h = host.links().get(f.name()).orElseThrow(() -> fail("host veth " + f.name() + " not found"));
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

    private static CniError fail(String msg) {
        return new CniError(CniError.INTERNAL, "CHECK: " + msg);
    }

    // ---- GC and STATUS ------------------------------------------------------------------------

    @Override
    public void gc(Call call) {
        BridgeConf conf = BridgeConf.parse(call);
        if (conf.macSpoofCheck()) {
            Set<String> valid = new java.util.HashSet<>();
            for (var a : call.conf().validAttachments()) {
                valid.add(SpoofCheck.comment(a.containerId(), a.ifName()));
            }
            try (SpoofCheck sc = SpoofCheck.open(Netns.CURRENT)) {
                sc.retain(valid);
            }
        }
        if (!conf.layer3()) {
            return;
        }
        List<InetAddress> released = IpamDelegate.gc(call, conf.ipamType());
        if (conf.ipMasq()) {
            try (Masquerade masq = Masquerade.open(Netns.CURRENT)) {
                Set<InetAddress> stale = new LinkedHashSet<>(released);
                if (conf.ipamType().equals("host-local")) {
                    // also set elements whose lease is gone (e.g. a crash between IPAM DEL and here)
                    Set<InetAddress> leased = new java.util.HashSet<>(podnet.cni.ipam.HostLocal.allLeased(call.conf()));
                    for (InetAddress m : masq.members(call.conf().name())) {
                        if (!leased.contains(m)) {
                            stale.add(m);
                        }
                    }
                }
                for (InetAddress a : stale) {
                    masq.remove(call.conf().name(), a);
                }
            }
        }
    }

    @Override
    public void status(Call call) {
        BridgeConf conf = BridgeConf.parse(call);
        if (conf.layer3()) {
            IpamDelegate.status(call, conf.ipamType());
        }
    }

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
    }
}
