package podnet.cni.bridge;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import podnet.cni.ipam.HostLocal;
import podnet.cni.ipam.IpamConfig;
import podnet.cni.spec.Call;
import podnet.cni.spec.Result;

/** host-local in this JVM: the same code its executable runs, without an exec per call. */
final class HostLocalIpam implements Ipam {
    static final String TYPE = "host-local";

    @Override
    public void validate(Call call) {
        IpamConfig.parse(call.conf(), call.env()); // ranges, routes, requested addresses
    }

    @Override
    public Result add(Call call) {
        return HostLocal.allocate(call.conf(), call.env());
    }

    @Override
    public List<InetAddress> del(Call call) {
        return HostLocal.release(call.conf(), call.env());
    }

    @Override
    public void check(Call call) {
        new HostLocal().check(call);
    }

    @Override
    public List<InetAddress> gc(Call call) {
        return HostLocal.collect(call.conf());
    }

    @Override
    public void status(Call call) {
        new HostLocal().status(call);
    }

    @Override
    public Set<InetAddress> leased(Call call) {
        return new HashSet<>(HostLocal.allLeased(call.conf()));
    }
}
