package podnet.node.cluster;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.function.Supplier;
import podnet.linux.inet.Cidr;
import podnet.linux.ns.Netns;

/**
 * Node subnets from the Kubernetes API, as flannel's kube subnet manager does: this node's
 * subnet is {@code Node.spec.podCIDR} (given by kube-controller-manager's
 * {@code --allocate-node-cidrs}); the node publishes how to reach it in flannel's annotations
 * ({@code flannel.alpha.coreos.com/backend-type}, {@code backend-data}, {@code public-ip}); peers
 * come from a watch on Nodes. Leases do not expire here; leaving removes the annotations.
 * Tested against fabric8's mock API server only.
 */
final class KubeRegistry implements SubnetRegistry {
    static final String PREFIX = "flannel.alpha.coreos.com/";
    static final String BACKEND_TYPE = PREFIX + "backend-type", BACKEND_DATA = PREFIX + "backend-data",
            PUBLIC_IP = PREFIX + "public-ip", KUBE_SUBNET_MANAGER = PREFIX + "kube-subnet-manager";

    private final KubernetesClient client;
    private final NodeHttpClients http;
    private final String nodeName;
    private volatile Watch watch;
    private volatile boolean closed;
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

    private KubeRegistry(KubernetesClient client, NodeHttpClients http, String nodeName) {
        this.client = client;
        this.http = http;
        this.nodeName = nodeName;
    }

    static SubnetRegistry open(Path kubeconfig, Netns netns, String nodeName) {
        // fabric8 logs through SLF4J; with no binding, SLF4J would warn about that on every start.
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        Config config;
        try {
            config = kubeconfig != null ? Config.fromKubeconfig(Files.readString(kubeconfig)) : Config.autoConfigure(null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + kubeconfig, e);
        }
        // The agent does its own retrying, and says so; fabric8's would hide an outage for minutes.
        config.setRequestRetryBackoffLimit(0);
        config.setConnectionTimeout(5_000);
        config.setRequestTimeout(10_000);
        NodeHttpClients http = new NodeHttpClients(netns);
        KubernetesClient c = netns.call(() -> new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(http).build());
        return new KubeRegistry(c, http, nodeName);
    }

    @Override
    public String describe() {
        return "the Kubernetes API at " + client.getConfiguration().getMasterUrl();
    }

    /** Kubernetes keeps no flannel network record (flannel reads it from a ConfigMap): the flags are it. */
    @Override
    public NetworkConfig config(NetworkConfig wanted) {
        api(() -> client.nodes().withName(nodeName).get());
        return wanted;
    }

    @Override
    public Lease acquire(NetworkConfig config, LeaseRequest request) {
        Node node = api(() -> client.nodes().withName(nodeName).get());
        if (node == null) {
            throw new ClusterException("the API server has no Node " + nodeName,
                    "give --node-name the node's name as kubelet registered it (spec.nodeName)");
        }
        Cidr subnet = podCidr(node);
        if (subnet == null) {
            throw new RegistryUnreachable("Node " + nodeName + " has no spec.podCIDR yet (kube-controller-manager"
                    + " --allocate-node-cidrs gives one)", null);
        }
        if (!config.network().contains(subnet.address()) || subnet.prefixLength() < config.network().prefixLength()) {
            throw new ClusterException("Node " + nodeName + "'s podCIDR " + subnet + " is outside --network " + config.network(),
                    "give --network the cluster CIDR kube-controller-manager allocates from");
        }
        Lease mine = request.lease(subnet);
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(BACKEND_TYPE, mine.backend());
        annotations.put(BACKEND_DATA, LeaseJson.backendDataJson(mine));
        annotations.put(PUBLIC_IP, Cidr.text(mine.publicIp()));
        annotations.put(KUBE_SUBNET_MANAGER, "true");
        api(() -> client.nodes().withName(nodeName).edit(n -> new NodeBuilder(n).editMetadata()
                .addToAnnotations(annotations).endMetadata().build()));
        return mine;
    }

    @Override
    public Lease renew(Lease lease) {
        return lease; // Node objects do not expire
    }

    @Override
    public List<Lease> leases() {
        List<Lease> out = new ArrayList<>();
        for (Node n : api(() -> client.nodes().list().getItems())) {
            Lease l = lease(n);
            if (l != null) {
                out.add(l);
            }
        }
        return out;
    }

    /** A node's lease when it has a podCIDR and flannel's annotations, else null. */
    static Lease lease(Node n) {
        Cidr subnet = podCidr(n);
        Map<String, String> a = n.getMetadata().getAnnotations();
        if (subnet == null || a == null) {
            return null;
        }
        Lease l = LeaseJson.of(subnet, a.get(PUBLIC_IP), a.get(BACKEND_TYPE), a.get(BACKEND_DATA));
        return l == null ? null : l.withName(n.getMetadata().getName());
    }

    private static Cidr podCidr(Node n) {
        if (n.getSpec() == null) {
            return null;
        }
        List<String> all = new ArrayList<>();
        if (n.getSpec().getPodCIDRs() != null) {
            all.addAll(n.getSpec().getPodCIDRs());
        }
        if (n.getSpec().getPodCIDR() != null) {
            all.add(n.getSpec().getPodCIDR());
        }
        for (String s : all) {
            try {
                Cidr c = Cidr.parse(s);
                if (c.isIpv4()) {
                    return c.network();
                }
            } catch (IllegalArgumentException e) {
                // not a CIDR: skip it
            }
        }
        return null;
    }

    @Override
    public void follow(Consumer<Map<Cidr, Lease>> onChange) {
        while (!closed) {
            events.clear();
            var list = api(() -> client.nodes().list());
            Map<Cidr, Lease> bySubnet = new LinkedHashMap<>();
            Map<String, Cidr> byName = new LinkedHashMap<>();
            for (Node n : list.getItems()) {
                put(n, bySubnet, byName);
            }
            onChange.accept(Map.copyOf(bySubnet));
            String version = list.getMetadata().getResourceVersion();
            watch = api(() -> client.nodes().withResourceVersion(version).watch(new Watcher<Node>() {
                @Override
                public void eventReceived(Action action, Node node) {
                    events.add(new Object[] {action, node});
                }

                @Override
                public void onClose(WatcherException cause) {
                    events.add(cause == null ? "closed" : cause);
                }
            }));
            try {
                while (!closed) {
                    Object e = events.take();
                    if (!(e instanceof Object[] ev)) {
                        break; // the watch ended: list again
                    }
                    Node n = (Node) ev[1];
                    if (ev[0] == Watcher.Action.DELETED) {
                        Cidr c = byName.remove(n.getMetadata().getName());
                        if (c != null) {
                            bySubnet.remove(c);
                        }
                    } else {
                        put(n, bySubnet, byName);
                    }
                    onChange.accept(Map.copyOf(bySubnet));
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                Watch w = watch;
                if (w != null) {
                    w.close();
                }
            }
        }
    }

    private static void put(Node n, Map<Cidr, Lease> bySubnet, Map<String, Cidr> byName) {
        String name = n.getMetadata().getName();
        Cidr old = byName.remove(name);
        if (old != null) {
            bySubnet.remove(old);
        }
        Lease l = lease(n);
        if (l != null) {
            bySubnet.put(l.subnet(), l);
            byName.put(name, l.subnet());
        }
    }

    /** NetworkPolicy for this node from the same API: Pods, Namespaces and NetworkPolicies into {@code target}. */
    KubePolicyWatch policyWatch(podnet.node.policy.ClusterPolicies target, Consumer<String> log) {
        return new KubePolicyWatch(client, nodeName, target, log);
    }

    @Override
    public void release(Lease lease) {
        api(() -> client.nodes().withName(lease.nodeName() != null ? lease.nodeName() : nodeName).edit(n -> {
            NodeBuilder b = new NodeBuilder(n);
            for (String k : List.of(BACKEND_TYPE, BACKEND_DATA, PUBLIC_IP, KUBE_SUBNET_MANAGER)) {
                b.editMetadata().removeFromAnnotations(k).endMetadata();
            }
            return b.build();
        }));
    }

    @Override
    public void close() {
        closed = true;
        events.add("closed");
        Watch w = watch;
        if (w != null) {
            w.close();
        }
        client.close();
        http.close();
    }

    private <T> T api(Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 0 || e.getCode() >= 500 || e.getCause() instanceof IOException) {
                throw new RegistryUnreachable(describe() + " is unreachable: " + message(e), e);
            }
            throw new ClusterException(describe() + ": " + message(e), "check the agent's RBAC (nodes: get, list, watch, patch; pods, namespaces, networkpolicies: list, watch)", e);
        }
    }

    private static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t + ")";
    }
}
