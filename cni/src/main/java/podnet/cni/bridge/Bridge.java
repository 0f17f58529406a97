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
import podnet.cni.spec.Phases;
import podnet.cni.spec.Result;
import podnet.cni.spec.Result.IpConfig;
import podnet.cni.spec.Result.RouteEntry;
import podnet.cni.spec.Sandbox;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.LinkChange;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Route;
import podnet.linux.netlink.RtBatch;
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
        AgentHook.socket(call); // checked before any change
        Ipam ipam = ipam(conf, call);
        if (ipam != null) {
            ipam.validate(call);
        }
        Netns container = Sandbox.require(call.env().netns());
        String ifName = call.env().ifName();
        Undo undo = new Undo();
        Phases.mark("parse");
        try (NetlinkHandle host = NetlinkHandle.open()) {
            NetlinkHandle cont = null;
            try {
                Link br = HostBridge.ensure(host, conf, undo); // refuses a non-bridge before changing anything
                Phases.mark("bridge");
                Link hostLink = VethPair.create(host, container, ifName, br, conf, undo);
                String hostVeth = hostLink.name();
                int podIndex = hostLink.linkIndex(); // the pod end's index, in the pod
                Phases.mark("veth");
                HostBridge.plug(host, hostLink, conf);
                Phases.mark("plug");
                List<IpConfig> ips = List.of();
                List<RouteEntry> routes = List.of();
                Result.Dns dns = Result.Dns.EMPTY;
                Link contLink;
                if (ipam != null) {
                    Result lease = ipam.add(call);
                    Phases.mark("ipam");
                    undo.push("IPAM DEL", () -> ipam.del(call));
                    if (lease.ips().isEmpty()) {
                        throw new CniError(CniError.INTERNAL, "IPAM plugin returned missing IP config");
                    }
                    Gateways gws = Gateways.of(lease, conf);
                    ips = gws.ips();
                    AgentHook.added(call, ips, undo); // in the node's policy sets before the pod has its address
                    Phases.mark("agent");
                    routes = gws.routes();
                    dns = lease.dns();
                    cont = ContainerSide.enter(container, ifName, ips, conf);
                    Phases.mark("enter");
                    contLink = ContainerSide.configure(cont, podIndex, ifName, ips, routes, conf);
                    Phases.mark("podcfg");
                    if (conf.isGateway()) {
                        gws.applyTo(host, br, conf.forceAddress(), hostVeth, undo);
                    }
                    Phases.mark("gw");
                    if (conf.ipMasq()) {
                        NodeTables.addMasquerade(call, ips, undo);
                        Phases.mark("masq");
                    }
                } else {
                    cont = ContainerSide.open(container);
                    RtBatch b = cont.batch();
                    if (!conf.disableContainerInterface()) {
                        b.setLink(podIndex, LinkChange.setUp());
                    }
                    contLink = b.getLink(podIndex).send().getFirst();
                }
                if (conf.macSpoofCheck()) {
                    NodeTables.addSpoofCheck(call, hostVeth, contLink.mac(), undo);
                }
                List<Link> now = VethPair.settled(host, hostLink.index(), br.index(), !conf.disableContainerInterface());
                Phases.mark("settled");
                hostLink = now.get(0);
                br = now.get(1);
                if (!conf.dns().isEmpty()) {
                    dns = conf.dns();
                }
                List<Result.Iface> ifaces = List.of(
                        new Result.Iface(br.name(), mac(br), null),
                        new Result.Iface(hostLink.name(), mac(hostLink), null),
                        new Result.Iface(contLink.name(), mac(contLink), call.env().netns()));
                return new Result(call.conf().cniVersion(), ifaces, ips, routes, dns);
            } catch (Throwable t) {
                undo.runAll(t);
                throw t;
            } finally {
                if (cont != null) {
                    cont.close();
                }
            }
        }
    }

    private static String mac(Link l) {
        return l.mac() == null ? null : l.mac().toString();
    }

    @Override
    public void del(Call call) {
        BridgeConf conf = BridgeConf.parse(call);
        AgentHook.removed(call, null); // out of the node's policy sets before its address can be reused
        Netns container = Sandbox.ifExists(call.env().netns());
        Set<InetAddress> podIps = new LinkedHashSet<>();
        if (container != null) {
            podIps.addAll(deleteContainerInterface(call, container, conf.ipMasq()));
        }
        Phases.mark("delif");
        if (conf.macSpoofCheck()) {
            NodeTables.removeSpoofCheck(call);
        }
        Ipam ipam = ipam(conf, call);
        if (ipam != null) {
            podIps.addAll(ipam.del(call));
            Phases.mark("ipam");
            if (conf.ipMasq()) {
                NodeTables.removeMasquerade(call, podIps);
                Phases.mark("masq");
            }
        }
    }

    /**
     * Deletes CNI_IFNAME in the pod (missing is fine); returns the addresses it had when
     * {@code wantIps} (the masquerade needs them). When its peer is a veth in the node, as ours
     * are, the pair goes by that end, coalesced with concurrent DELs so that the kernel pays
     * its unregister wait once for many, and DEL goes on as soon as the pair is gone.
     */
    private static Set<InetAddress> deleteContainerInterface(Call call, Netns container, boolean wantIps) {
        Set<InetAddress> podIps = new LinkedHashSet<>();
        try (NetlinkHandle cont = ContainerSide.open(container)) {
            Optional<Link> l = cont.links().get(call.env().ifName());
            if (l.isEmpty()) {
                return podIps;
            }
            Link pod = l.get();
            if (wantIps) {
                for (Address a : cont.addresses().list(0)) {
                    if (a.index() == pod.index() && a.scope() == Route.SCOPE_UNIVERSE) {
                        podIps.add(a.cidr().address());
                    }
                }
            }
            // The peer is in this node netns when the pod's id for it is the one the peer link names.
            if (pod.isVeth() && pod.linkNetnsId() != null
                    && pod.linkNetnsId() == cont.nsIds().get(Netns.ofPath(Sandbox.SELF))) {
                try (NetlinkHandle host = NetlinkHandle.open()) {
                    host.links().deleteCoalesced(pod.linkIndex());
                }
                return podIps;
            }
            try {
                cont.links().delete(pod.index());
            } catch (NetlinkException e) {
                if (!e.is(Errno.ENODEV)) {
                    throw e;
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
