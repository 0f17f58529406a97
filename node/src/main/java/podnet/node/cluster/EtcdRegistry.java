package podnet.node.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import podnet.linux.inet.Cidr;
import podnet.node.etcd.EtcdClient;
import podnet.node.etcd.EtcdException;
import podnet.node.etcd.EtcdKv;
import podnet.node.etcd.EtcdWatch;
import podnet.node.etcd.Range;
import podnet.node.etcd.WatchEvent;

/**
 * Node subnets in etcd, in flannel's layout: {@code <prefix>/config} holds the network and
 * {@code <prefix>/subnets/10.244.2.0-24} one node's lease value, attached to an etcd lease
 * (24 h) so that a node that vanishes frees its subnet. A subnet is taken by a transaction that
 * only succeeds while the key does not exist, so two nodes never hold one subnet.
 */
public final class EtcdRegistry implements SubnetRegistry {
    private static final int ATTEMPTS = 16;

    private final EtcdClient client;
    private final String prefix;
    /** The etcd lease behind each lease this registry made or renewed (this node's). */
    private final Map<Cidr, Long> etcdLeases = new ConcurrentHashMap<>();
    private volatile EtcdWatch watch;
    private volatile boolean closed;
    private volatile Duration ttl = LeaseRequest.FLANNEL_TTL;

    public EtcdRegistry(EtcdClient client, String prefix) {
        checkPrefix(prefix);
        this.client = client;
        this.prefix = prefix;
    }

    public static final String DEFAULT_PREFIX = "/coreos.com/network";

    static void checkPrefix(String prefix) {
        if (!prefix.startsWith("/") || prefix.endsWith("/") || prefix.contains("//")) {
            throw new IllegalArgumentException("--etcd-prefix " + prefix + ": an absolute key prefix without a"
                    + " trailing slash, e.g. /coreos.com/network");
        }
    }

    @Override
    public String describe() {
        return "etcd " + String.join(",", client.endpoints().stream().map(Object::toString).toList())
                + " (prefix " + prefix + ")";
    }

    String subnetsPrefix() {
        return prefix + "/subnets/";
    }

    @Override
    public NetworkConfig config(NetworkConfig wanted) {
        String key = prefix + "/config";
        Optional<EtcdKv> kv = etcd(() -> client.get(key));
        if (kv.isEmpty()) {
            if (etcd(() -> client.createIfAbsent(key, wanted.toJson(), 0))) {
                return wanted;
            }
            kv = etcd(() -> client.get(key)); // someone else wrote it meanwhile
        }
        NetworkConfig recorded;
        try {
            recorded = NetworkConfig.parse(kv.orElseThrow().value());
        } catch (IllegalArgumentException e) {
            throw new ClusterException(key + " in " + describe() + " is not a flannel network config: " + e.getMessage(),
                    "fix it, e.g. etcdctl put " + key + " '" + wanted.toJson() + "'");
        }
        if (!recorded.equals(wanted)) {
            throw new ClusterException("the cluster's network in " + key + " is " + recorded.toJson()
                    + ", not " + wanted.toJson() + " as the flags say",
                    "give --network " + recorded.network() + " --subnet-len " + recorded.subnetLen() + " --backend "
                            + recorded.backend() + " (or change " + key + " for the whole cluster)");
        }
        return recorded;
    }

    @Override
    public Lease acquire(NetworkConfig config, LeaseRequest request) {
        ttl = request.ttl();
        Range existing = etcd(() -> client.range(subnetsPrefix()));
        Map<Cidr, EtcdKv> byCidr = new LinkedHashMap<>();
        for (EtcdKv kv : existing.kvs()) {
            Cidr c = Lease.subnetOfKey(kv.key().substring(subnetsPrefix().length()));
            if (c != null) {
                byCidr.put(c, kv);
            }
        }
        // Ours from before: the lease that carries our public IP (flannel's rule), renewed in place.
        for (Map.Entry<Cidr, EtcdKv> e : byCidr.entrySet()) {
            Lease l = LeaseJson.parse(e.getKey(), e.getValue().value());
            if (l != null && l.publicIp().equals(request.publicIp()) && SubnetPool.contains(config, e.getKey())) {
                Lease mine = request.lease(e.getKey());
                long id = grant(request.ttl());
                if (etcd(() -> client.replaceIfUnchanged(key(mine), LeaseJson.value(mine), id, e.getValue().modRevision()))) {
                    if (e.getValue().lease() != 0) {
                        etcdQuietly(() -> client.revoke(e.getValue().lease()));
                    }
                    return taken(mine, id, request.ttl());
                }
                etcdQuietly(() -> client.revoke(id));
                break; // changed under us: take a fresh one below
            }
        }
        List<Cidr> taken = new ArrayList<>(byCidr.keySet());
        Cidr preferred = request.preferred();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Cidr subnet = attempt == 0 && preferred != null && SubnetPool.contains(config, preferred)
                    && !taken.contains(preferred)
                    ? preferred : SubnetPool.pickFree(config, taken, ThreadLocalRandom.current());
            if (subnet == null) {
                throw new ClusterException("every subnet of " + config.network() + " is taken ("
                        + taken.size() + " nodes)", "give a larger --network or a longer --subnet-len");
            }
            Lease mine = request.lease(subnet);
            long id = grant(request.ttl());
            if (etcd(() -> client.createIfAbsent(key(mine), LeaseJson.value(mine), id))) {
                return taken(mine, id, request.ttl());
            }
            etcdQuietly(() -> client.revoke(id));
            taken.add(subnet); // another node won it a moment ago
        }
        throw new ClusterException("could not take a subnet of " + config.network() + " in " + ATTEMPTS
                + " attempts: other nodes kept winning", "start the agent again");
    }

    private Lease taken(Lease mine, long id, Duration ttl) {
        etcdLeases.put(mine.subnet(), id);
        return mine.withExpiry(Instant.now().plus(ttl));
    }

    private long grant(Duration ttl) {
        return etcd(() -> client.grant(ttl.toSeconds()));
    }

    private String key(Lease l) {
        return subnetsPrefix() + l.key();
    }

    /** Renews when less than the margin is left; a lease etcd forgot (it expired meanwhile) is written again. */
    @Override
    public Lease renew(Lease lease) {
        Duration ttl = this.ttl;
        Duration margin = LeaseRequest.renewMargin(ttl);
        if (lease.expires() != null && Instant.now().isBefore(lease.expires().minus(margin))) {
            return lease;
        }
        Long id = etcdLeases.get(lease.subnet());
        if (id != null && etcd(() -> client.keepAlive(id)) > 0) {
            return lease.withExpiry(Instant.now().plus(ttl));
        }
        long fresh = grant(ttl);
        if (etcd(() -> client.createIfAbsent(key(lease), LeaseJson.value(lease), fresh))) {
            return taken(lease, fresh, ttl);
        }
        etcdQuietly(() -> client.revoke(fresh));
        throw new ClusterException("this node's subnet " + lease.subnet() + " expired and another node has taken it",
                "restart the agent (`podnet node run …`) to get a new subnet; pods keep their old addresses until then");
    }

    @Override
    public List<Lease> leases() {
        List<Lease> out = new ArrayList<>();
        for (EtcdKv kv : etcd(() -> client.range(subnetsPrefix())).kvs()) {
            Lease l = parse(kv);
            if (l != null) {
                long ttl = kv.lease() == 0 ? -1 : etcd(() -> client.timeToLive(kv.lease()));
                out.add(ttl >= 0 ? l.withExpiry(Instant.now().plusSeconds(ttl)) : l);
            }
        }
        return out;
    }

    private Lease parse(EtcdKv kv) {
        if (!kv.key().startsWith(subnetsPrefix())) {
            return null;
        }
        Cidr c = Lease.subnetOfKey(kv.key().substring(subnetsPrefix().length()));
        return c == null ? null : LeaseJson.parse(c, kv.value());
    }

    @Override
    public void follow(Consumer<Map<Cidr, Lease>> onChange) {
        while (!closed) {
            Range r = etcd(() -> client.range(subnetsPrefix()));
            Map<Cidr, Lease> all = new LinkedHashMap<>();
            for (EtcdKv kv : r.kvs()) {
                Lease l = parse(kv);
                if (l != null) {
                    all.put(l.subnet(), l);
                }
            }
            onChange.accept(Map.copyOf(all));
            EtcdWatch w = etcd(() -> client.watch(subnetsPrefix(), r.revision() + 1));
            watch = w;
            try (w) {
                if (closed) {
                    return;
                }
                while (true) {
                    for (WatchEvent e : w.next()) {
                        Cidr c = e.kv().key().startsWith(subnetsPrefix())
                                ? Lease.subnetOfKey(e.kv().key().substring(subnetsPrefix().length())) : null;
                        if (c == null) {
                            continue;
                        }
                        Lease l = e.deleted() ? null : LeaseJson.parse(c, e.kv().value());
                        if (l == null) {
                            all.remove(c);
                        } else {
                            all.put(c, l);
                        }
                    }
                    onChange.accept(Map.copyOf(all));
                }
            } catch (EtcdException e) {
                if (closed) {
                    return;
                }
                if (!w.compacted()) {
                    throw unreachable(e);
                }
                // compacted: list again from the current revision
            }
        }
    }

    @Override
    public void release(Lease lease) {
        etcd(() -> client.delete(key(lease)));
        Long id = etcdLeases.remove(lease.subnet());
        if (id != null) {
            etcdQuietly(() -> client.revoke(id));
        }
    }

    /** Releases whatever lease in etcd carries {@code lease}'s subnet and public IP (a leave from another process). */
    public void releaseRecorded(Lease lease) {
        Optional<EtcdKv> kv = etcd(() -> client.get(key(lease)));
        if (kv.isEmpty()) {
            return;
        }
        Lease there = parse(kv.get());
        if (there == null || !there.publicIp().equals(lease.publicIp())) {
            return; // someone else's now: not ours to give back
        }
        etcd(() -> client.delete(key(lease)));
        if (kv.get().lease() != 0) {
            etcdQuietly(() -> client.revoke(kv.get().lease()));
        }
    }

    @Override
    public void close() {
        closed = true;
        EtcdWatch w = watch;
        if (w != null) {
            w.close();
        }
        client.close();
    }

    private <T> T etcd(Supplier<T> call) {
        try {
            return call.get();
        } catch (EtcdException e) {
            if (e.unreachable()) {
                throw unreachable(e);
            }
            throw new ClusterException(describe() + ": " + e.getMessage(), "check etcd's health (etcdctl endpoint health)", e);
        }
    }

    private void etcdQuietly(Runnable call) {
        try {
            call.run();
        } catch (EtcdException e) {
            // best effort: an orphan etcd lease expires on its own
        }
    }

    private RegistryUnreachable unreachable(EtcdException e) {
        return new RegistryUnreachable(describe() + " is unreachable: " + e.getMessage(), e);
    }
}
