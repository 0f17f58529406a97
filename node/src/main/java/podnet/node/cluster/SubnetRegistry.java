package podnet.node.cluster;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import podnet.linux.inet.Cidr;

/**
 * Where the cluster's node subnets are recorded — etcd in flannel's layout, or the Kubernetes
 * API's Nodes. Calls that cannot reach it throw {@link RegistryUnreachable}; the agent then
 * leaves the data path as it is and retries.
 */
public interface SubnetRegistry extends AutoCloseable {
    /** For messages: "etcd http://10.0.0.2:2379 (prefix /coreos.com/network)". */
    String describe();

    /**
     * The cluster's network: the one recorded, or {@code wanted} recorded now when there is
     * none. A recorded one that differs is refused with a {@link ClusterException}.
     */
    NetworkConfig config(NetworkConfig wanted);

    /**
     * This node's lease: the one it held before (same public IP, or {@code request.preferred()}
     * when still free) renewed, else a free subnet taken atomically.
     */
    Lease acquire(NetworkConfig config, LeaseRequest request);

    /** Keeps {@code lease} alive (called often; renews only when due); returns it, maybe with a new expiry. */
    Lease renew(Lease lease);

    /** Every node's lease now, this node's included. */
    List<Lease> leases();

    /**
     * Follows the leases until {@link #close()} or until the registry becomes unreachable
     * (then it throws {@link RegistryUnreachable}): {@code onChange} gets the whole current
     * map after every change, the first time right away.
     */
    void follow(Consumer<Map<Cidr, Lease>> onChange);

    /** Gives the subnet back: peers remove this node's entries. */
    void release(Lease lease);

    /** Stops {@link #follow}; the lease stays (a restarted agent renews it). */
    @Override
    void close();
}
