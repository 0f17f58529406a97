package podnet.cni.loopback;

import java.util.ArrayList;
import java.util.List;
import podnet.cni.spec.Call;
import podnet.cni.spec.CniError;
import podnet.cni.spec.CniPlugin;
import podnet.cni.spec.Result;
import podnet.cni.spec.Sandbox;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;

/** The loopback plugin: brings {@code lo} up in the pod, passes prevResult through. */
public final class Loopback implements CniPlugin {

    @Override
    public Result add(Call call) {
        Netns netns = Sandbox.require(call.env().netns());
        List<Address> addrs;
        try (NetlinkHandle h = NetlinkHandle.open(netns)) {
            h.links().setUp("lo");
            int lo = h.links().require("lo").index();
            addrs = h.addresses().list(0).stream().filter(a -> a.index() == lo).toList();
        }
        for (Address a : addrs) {
            if (!a.cidr().address().isLoopbackAddress()) {
                throw new CniError(CniError.INTERNAL, "loopback interface found with non-loopback address " + a.cidr());
            }
        }
        if (call.conf().prevResult() != null) {
            return call.conf().prevResult();
        }
        List<Result.IpConfig> ips = new ArrayList<>();
        addrs.stream().filter(Address::isIpv4).findFirst().ifPresent(a -> ips.add(new Result.IpConfig(a.cidr(), null, 0)));
        addrs.stream().filter(a -> !a.isIpv4()).findFirst().ifPresent(a -> ips.add(new Result.IpConfig(a.cidr(), null, 0)));
        return new Result(call.conf().cniVersion(),
                List.of(new Result.Iface("lo", "00:00:00:00:00:00", call.env().netns())), ips, List.of(), null);
    }

    @Override
    public void del(Call call) {
        Netns netns = Sandbox.ifExists(call.env().netns());
        if (netns == null) {
            return; // the pod's netns is gone: nothing to undo
        }
        try (NetlinkHandle h = NetlinkHandle.open(netns)) {
            h.links().setDown("lo");
        }
    }

    @Override
    public void check(Call call) {
        Netns netns = Sandbox.require(call.env().netns());
        try (NetlinkHandle h = NetlinkHandle.open(netns)) {
            Link lo = h.links().require("lo");
            if (!lo.isUp()) {
                throw new CniError(CniError.INTERNAL, "loopback interface is down");
            }
        }
    }

    @Override
    public void gc(Call call) {
        // loopback keeps no state outside the pod
    }

    @Override
    public void status(Call call) {
        // always ready
    }
}
