package podnet.cni.bridge;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import podnet.cni.spec.Call;
import podnet.cni.spec.CniError;
import podnet.cni.spec.CniPlugin;
import podnet.cni.spec.Result;
import podnet.cni.spec.Result.IpConfig;
import podnet.cni.spec.Result.RouteEntry;
import podnet.cni.spec.Sandbox;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Route;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;

/**
 * The bridge plugin: a veth pair per attachment, the host end a port of the bridge, addresses
 * from IPAM inside the pod, the gateway on the bridge. Same options and order of operations as
 * the reference; unlike it, a failed ADD takes back everything it did. ADD and DEL are here;
 * CHECK is {@link BridgeCheck}, the pieces are {@link HostBridge}, {@link VethPair},
 * {@link ContainerSide}, {@link Gateways} and {@link NodeTables}.
 */
public final class Bridge implements CniPlugin {

    private static Ipam ipam(BridgeConf conf, Call call) {
        return conf.layer3() ? Ipam.of(conf.ipamType(), call) : null;
    }

    /**
     * Everything that can be checked is checked before the first change to the kernel (the
     * config, the IPAM plugin and its ranges, the pod's netns and interface name, the bridge
     * name's owner); what fails after that is undone, node-wide things this ADD created
     * included (the bridge, its gateway address, nftables objects) unless another attachment
     * uses them by then.
     */
    @Override
    public Result add(Call call) {
        BridgeConf conf = BridgeConf.parse(call);
        Ipam ipam = ipam(conf, call);
        if (ipam != null) {
            ipam.validate(call);
        }
        Netns container = Sandbox.require(call.env().netns());
        String ifName = call.env().ifName();
        Undo undo = new Undo();
        try (NetlinkHandle host = NetlinkHandle.open(); NetlinkHandle cont = NetlinkHandle.open(container)) {
            VethPair.requireFree(cont, ifName);
            HostBridge.requireBridgeOrFree(host, conf);
            try {
                Link br = HostBridge.ensure(host, conf, undo);
                String hostVeth = VethPair.create(host, cont, ifName, conf, undo);
                HostBridge.plug(host, hostVeth, br, conf);
                if (conf.macSpoofCheck()) {
                    NodeTables.addSpoofCheck(call, hostVeth, cont.links().require(ifName).mac(), undo);
                }
                List<IpConfig> ips = List.of();
                List<RouteEntry> routes = List.of();
                Result.Dns dns = Result.Dns.EMPTY;
                if (ipam != null) {
                    Result lease = ipam.add(call);
                    undo.push("IPAM DEL", () -> ipam.del(call));
                    if (lease.ips().isEmpty()) {
                        throw new CniError(CniError.INTERNAL, "IPAM plugin returned missing IP config");
                    }
                    Gateways gws = Gateways.of(lease, conf);
                    ips = gws.ips();
                    routes = gws.routes();
                    dns = lease.dns();
                    ContainerSide.configure(container, cont, ifName, ips, routes, conf);
                    if (conf.isGateway()) {
                        gws.applyTo(host, br.name(), conf.forceAddress(), hostVeth, undo);
                    }
                    if (conf.ipMasq()) {
                        NodeTables.addMasquerade(call, ips, undo);
                    }
                } else if (!conf.disableContainerInterface()) {
                    cont.links().setUp(ifName);
                }
                if (!conf.disableContainerInterface()) {
                    VethPair.waitOperUp(host, hostVeth);
                }
                if (!conf.dns().isEmpty()) {
                    dns = conf.dns();
                }
                return new Result(call.conf().cniVersion(), interfaces(call, host, cont, br.name(), hostVeth), ips,
                        routes, dns);
            } catch (Throwable t) {
                undo.runAll(t);
                throw t;
            }
        }
    }

    /** The result's interfaces, as the reference lists them: bridge, host veth, container interface. */
    private static List<Result.Iface> interfaces(Call call, NetlinkHandle host, NetlinkHandle cont, String br,
            String hostVeth) {
        Link brNow = host.links().require(br);
        Link hostNow = host.links().require(hostVeth);
        Link contNow = cont.links().require(call.env().ifName());
        return List.of(
                new Result.Iface(brNow.name(), mac(brNow), null),
                new Result.Iface(hostNow.name(), mac(hostNow), null),
                new Result.Iface(contNow.name(), mac(contNow), call.env().netns()));
    }

    private static String mac(Link l) {
        return l.mac() == null ? null : l.mac().toString();
    }

    @Override
    public void del(Call call) {
        BridgeConf conf = BridgeConf.parse(call);
        Netns container = Sandbox.ifExists(call.env().netns());
        Set<InetAddress> podIps = new LinkedHashSet<>();
        if (container != null) {
            podIps.addAll(deleteContainerInterface(call, container));
        }
        if (conf.macSpoofCheck()) {
            NodeTables.removeSpoofCheck(call);
        }
        Ipam ipam = ipam(conf, call);
        if (ipam != null) {
            podIps.addAll(ipam.del(call));
            if (conf.ipMasq()) {
                NodeTables.removeMasquerade(call, podIps);
            }
        }
    }

    /** Deletes CNI_IFNAME in the pod (missing is fine); returns the addresses it had. */
    private static Set<InetAddress> deleteContainerInterface(Call call, Netns container) {
        Set<InetAddress> podIps = new LinkedHashSet<>();
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
        return podIps;
    }

    @Override
    public void check(Call call) {
        BridgeConf conf = BridgeConf.parse(call);
        BridgeCheck.check(call, conf, ipam(conf, call));
    }

    @Override
    public void gc(Call call) {
        BridgeConf conf = BridgeConf.parse(call);
        if (conf.macSpoofCheck()) {
            NodeTables.retainSpoofChecks(call);
        }
        Ipam ipam = ipam(conf, call);
        if (ipam == null) {
            return;
        }
        List<InetAddress> released = ipam.gc(call);
        if (conf.ipMasq()) {
            NodeTables.collectMasquerade(call, released, ipam.leased(call));
        }
    }

    /**
     * STATUS: 50 when no ADD can succeed (the IPAM store unusable, every range exhausted), 51
     * when the pods already attached have limited connectivity (their bridge is down).
     */
    @Override
    public void status(Call call) {
        BridgeConf conf = BridgeConf.parse(call);
        Ipam ipam = ipam(conf, call);
        if (ipam != null) {
            ipam.status(call);
        }
        try (NetlinkHandle host = NetlinkHandle.open()) {
            Optional<Link> br = host.links().get(conf.bridge());
            if (br.isPresent() && !br.get().isUp()) {
                throw new CniError(CniError.NOT_AVAILABLE_LIMITED, "bridge " + conf.bridge()
                        + " is down: the pods on it have limited connectivity");
            }
        }
    }
}
