package podnet.cni.portmap;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import podnet.cni.spec.Call;
import podnet.cni.spec.CniError;
import podnet.cni.spec.CniPlugin;
import podnet.cni.spec.NetConf;
import podnet.cni.spec.Result;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Route;
import podnet.linux.nftables.HostPorts;
import podnet.linux.ns.Netns;
import podnet.linux.sysctl.Sysctl;

/**
 * The portmap plugin (capability {@code portMappings}), chained after bridge: hostPorts of a
 * pod DNATed to its addresses in nf_tables ({@link HostPorts}), no iptables process. Like the
 * reference it forwards to the first IPv4 and first IPv6 address of the pod's own interfaces,
 * masquerades hairpin and localhost traffic (with route_localnet on the interface that routes
 * to the pod), and passes prevResult through. DEL needs neither the netns nor prevResult: the
 * rules are found by network name and container id. All state is in the kernel.
 */
public final class PortMap implements CniPlugin {

    @Override
    public Result add(Call call) {
        Result prev = requirePrev(call, "ADD");
        PortMapConf conf = PortMapConf.of(call.conf());
        if (conf.ports().isEmpty()) {
            return prev;
        }
        List<Cidr> ips = podAddresses(prev);
        if (ips.isEmpty()) {
            throw new CniError(CniError.INVALID_CONFIG, "portmap: prevResult has no address on a pod interface to forward to");
        }
        Netns host = Netns.CURRENT;
        if (conf.snat()) {
            for (Cidr ip : ips) {
                if (ip.isIpv4()) {
                    enableLocalnetRouting(host, ip.address());
                }
            }
        }
        try (HostPorts hp = HostPorts.open(host)) {
            hp.add(owner(call), ips, conf.ports(), conf.snat(), conf.mark());
        }
        return prev;
    }

    @Override
    public void del(Call call) {
        try (HostPorts hp = HostPorts.open(Netns.CURRENT)) {
            hp.remove(owner(call));
        }
    }

    @Override
    public void check(Call call) {
        Result prev = requirePrev(call, "CHECK");
        PortMapConf conf = PortMapConf.of(call.conf());
        if (conf.ports().isEmpty()) {
            return;
        }
        Optional<String> problem;
        try (HostPorts hp = HostPorts.open(Netns.CURRENT)) {
            problem = hp.check(owner(call), podAddresses(prev), conf.ports(), conf.snat(), conf.mark());
        }
        if (problem.isPresent()) {
            throw new CniError(CniError.INTERNAL, "portmap: " + problem.get());
        }
    }

    @Override
    public void gc(Call call) {
        List<String> valid = new ArrayList<>();
        for (NetConf.Attachment a : call.conf().validAttachments()) {
            valid.add(a.containerId());
        }
        try (HostPorts hp = HostPorts.open(Netns.CURRENT)) {
            hp.retain(call.conf().name(), valid);
        }
    }

    @Override
    public void status(Call call) {
        // nothing to wait for: nf_tables is always there
    }

    private static HostPorts.Owner owner(Call call) {
        return new HostPorts.Owner(call.conf().name(), call.env().containerId());
    }

    private static Result requirePrev(Call call, String what) {
        if (call.conf().prevResult() == null) {
            throw new CniError(CniError.INVALID_CONFIG, "portmap: must be called as a chained plugin (" + what
                    + " without prevResult)");
        }
        return call.conf().prevResult();
    }

    /** The first IPv4 and the first IPv6 address on an interface inside the pod (or of no named interface). */
    static List<Cidr> podAddresses(Result prev) {
        Cidr v4 = null, v6 = null;
        for (Result.IpConfig ip : prev.ips()) {
            Integer i = ip.iface();
            if (i != null && (i < 0 || i >= prev.interfaces().size() || prev.interfaces().get(i).sandbox() == null
                    || prev.interfaces().get(i).sandbox().isEmpty())) {
                continue;
            }
            Cidr a = ip.address();
            if (a.isIpv4()) {
                v4 = v4 == null ? a : v4;
            } else {
                v6 = v6 == null ? a : v6;
            }
        }
        List<Cidr> out = new ArrayList<>();
        if (v4 != null) {
            out.add(v4);
        }
        if (v6 != null) {
            out.add(v6);
        }
        return out;
    }

    /**
     * route_localnet on the interface that routes to the pod: a DNATed 127.0.0.1 connection
     * may then leave lo (the reference's enableLocalnetRouting).
     */
    static void enableLocalnetRouting(Netns host, InetAddress podIp) {
        String ifname = null;
        try (NetlinkHandle h = NetlinkHandle.open(host)) {
            int best = -1;
            for (Route r : h.routes().list(0)) {
                Cidr dst = r.destination();
                if (dst != null && !dst.isIpv4()) {
                    continue;
                }
                int len = dst == null ? 0 : dst.prefixLength();
                if (r.oif() > 0 && (dst == null || dst.contains(podIp)) && len > best) {
                    best = len;
                    ifname = ifnameOf(h, r.oif());
                }
            }
        }
        if (ifname != null) {
            Sysctl.ensure(host, Sysctl.conf("ipv4", ifname, "route_localnet"), "1");
        }
    }

    private static String ifnameOf(NetlinkHandle h, int index) {
        for (Link l : h.links().list()) {
            if (l.index() == index) {
                return l.name();
            }
        }
        return null;
    }
}
