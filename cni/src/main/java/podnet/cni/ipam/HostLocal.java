package podnet.cni.ipam;

import java.net.InetAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import podnet.cni.spec.Call;
import podnet.cni.spec.CniEnv;
import podnet.cni.spec.CniError;
import podnet.cni.spec.CniPlugin;
import podnet.cni.spec.NetConf;
import podnet.cni.spec.Result;
import podnet.cni.spec.Result.IpConfig;
import podnet.linux.inet.Cidr;

/** The host-local IPAM plugin: leases from range sets, stored like the reference does. */
public final class HostLocal implements CniPlugin {

    @Override
    public Result add(Call call) {
        return allocate(call.conf(), call.env());
    }

    /** ADD for in-process callers (the bridge plugin). */
    public static Result allocate(NetConf conf, CniEnv env) {
        IpamConfig cfg = IpamConfig.parse(conf, env);
        Result.Dns dns = cfg.resolvConf() == null ? Result.Dns.EMPTY : ResolvConf.read(cfg.resolvConf());
        List<InetAddress> requested = new ArrayList<>(cfg.requestedIps());
        List<IpConfig> ips = new ArrayList<>();
        try (LeaseStore store = LeaseStore.lock(cfg.dataDir(), cfg.network())) {
            try {
                for (int i = 0; i < cfg.rangeSets().size(); i++) {
                    RangeSet set = cfg.rangeSets().get(i);
                    InetAddress want = null;
                    for (InetAddress r : requested) {
                        if (set.contains(r)) {
                            want = r;
                            requested.remove(r);
                            break;
                        }
                    }
                    try {
                        ips.add(new Allocator(set, store, i).allocate(env.containerId(), env.ifName(), want));
                    } catch (CniError e) {
                        throw new CniError(e.code(), "failed to allocate for range " + i + ": " + e.getMessage());
                    }
                }
                if (!requested.isEmpty()) {
                    throw CniError.config("failed to allocate all requested IPs: "
                            + String.join(", ", requested.stream().map(Cidr::text).toList())
                            + " not in any range");
                }
            } catch (RuntimeException e) {
                for (IpConfig ip : ips) {
                    store.release(ip.address().address());
                }
                throw e;
            }
        }
        return new Result(conf.cniVersion(), List.of(), ips, cfg.routes(), dns);
    }

    @Override
    public void del(Call call) {
        release(call.conf(), call.env());
    }

    /** DEL: releases the attachment's leases (none is fine); returns the addresses released. */
    public static List<InetAddress> release(NetConf conf, CniEnv env) {
        IpamConfig cfg = IpamConfig.parse(conf, env);
        try (LeaseStore store = LeaseStore.lock(cfg.dataDir(), cfg.network())) {
            return store.releaseById(env.containerId(), env.ifName());
        }
    }

    /** The addresses leased to the attachment, without changing anything. */
    public static List<InetAddress> leased(NetConf conf, CniEnv env) {
        IpamConfig cfg = IpamConfig.parse(conf, env);
        try (LeaseStore store = LeaseStore.lock(cfg.dataDir(), cfg.network())) {
            return store.getById(env.containerId(), env.ifName());
        }
    }

    /** Every address leased in the network, whoever holds it. */
    public static List<InetAddress> allLeased(NetConf conf) {
        IpamConfig cfg = IpamConfig.parse(conf, null);
        try (LeaseStore store = LeaseStore.lock(cfg.dataDir(), cfg.network())) {
            return store.leases().stream().map(LeaseStore.Lease::ip).toList();
        }
    }

    @Override
    public void check(Call call) {
        if (leased(call.conf(), call.env()).isEmpty()) {
            throw new CniError(CniError.UNKNOWN_CONTAINER, "failed to find address added by container "
                    + call.env().containerId() + " (" + call.env().ifName() + ")");
        }
    }

    @Override
    public void gc(Call call) {
        collect(call.conf());
    }

    /** GC: releases leases of attachments not in the valid list; returns what it released. */
    public static List<InetAddress> collect(NetConf conf) {
        IpamConfig cfg = IpamConfig.parse(conf, null);
        Set<NetConf.Attachment> valid = new HashSet<>(conf.validAttachments());
        List<InetAddress> released = new ArrayList<>();
        try (LeaseStore store = LeaseStore.lock(cfg.dataDir(), cfg.network())) {
            for (LeaseStore.Lease l : store.leases()) {
                if (!valid.contains(new NetConf.Attachment(l.containerId(), l.ifName()))) {
                    store.release(l.ip());
                    released.add(l.ip());
                }
            }
        }
        return released;
    }

    @Override
    public void status(Call call) {
        IpamConfig cfg = IpamConfig.parse(call.conf(), null);
        LeaseStore store;
        try {
            store = LeaseStore.lock(cfg.dataDir(), cfg.network());
        } catch (CniError e) {
            throw new CniError(CniError.NOT_AVAILABLE, "IPAM store unusable: " + e.getMessage());
        }
        try (store) {
            if (!Files.isWritable(store.dir())) {
                throw new CniError(CniError.NOT_AVAILABLE, "IPAM store " + store.dir() + " is not writable");
            }
            List<LeaseStore.Lease> leases = store.leases();
            for (int i = 0; i < cfg.rangeSets().size(); i++) {
                RangeSet set = cfg.rangeSets().get(i);
                long used = leases.stream().filter(l -> set.contains(l.ip())).count();
                if (used >= set.size()) {
                    throw new CniError(CniError.NOT_AVAILABLE, "range set " + i + " (" + set
                            + ") is exhausted: " + used + " addresses leased");
                }
            }
        }
    }
}
