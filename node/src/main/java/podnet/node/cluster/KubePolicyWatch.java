package podnet.node.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.WatchAndWaitable;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import podnet.linux.inet.Cidr;
import podnet.node.policy.ClusterPolicies;
import podnet.node.policy.PolicyException;
import podnet.node.policy.PolicyManifest;
import podnet.node.policy.PolicyPod;

/**
 * NetworkPolicy from the Kubernetes API for one node: Pods (namespace, labels, IP, named container
 * ports, node), Namespaces (labels) and NetworkPolicies, each listed and then watched from the
 * list's version, go into {@link ClusterPolicies}, which is enforced after each burst of events —
 * only once all three have been listed (a partial view could cut allowed connections). A watch
 * that ends is listed again; while the API cannot be reached the table stays as it is. A full
 * pass against the kernel runs every {@link #RESYNC} too, repairing a table changed behind the
 * agent's back. This node's Pod objects are also kept as they come, so that a CNI ADD, which
 * comes before kubelet reports the pod's IP, finds the pod's labels ({@link PodEvents}).
 */
final class KubePolicyWatch implements AutoCloseable {
    static final Duration RESYNC = Duration.ofSeconds(30);
    private static final Duration RETRY = Duration.ofSeconds(1);

    enum Kind { PODS, NAMESPACES, POLICIES }

    private sealed interface Event permits Listed, Changed, Ended, Stop {}

    private record Listed(Kind kind, List<? extends HasMetadata> items) implements Event {}

    private record Changed(Kind kind, Watcher.Action action, HasMetadata object) implements Event {}

    private record Ended(Kind kind) implements Event {}

    private record Stop() implements Event {}

    private final KubernetesClient client;
    private final String nodeName;
    private final ClusterPolicies target;
    private final Consumer<String> log;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    /** This node's Pod objects as last listed or watched, for a CNI ADD that comes before the IP is in the API. */
    private final Map<String, Pod> local = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.CountDownLatch firstPass = new java.util.concurrent.CountDownLatch(1);
    private final Map<Kind, Watch> watches = new java.util.concurrent.ConcurrentHashMap<>(); // closed from another thread
    private final Set<Kind> listed = EnumSet.noneOf(Kind.class);
    private final Map<Kind, Long> retryAt = new EnumMap<>(Kind.class);
    private final Map<Kind, String> complained = new EnumMap<>(Kind.class);
    private volatile boolean closed;

    KubePolicyWatch(KubernetesClient client, String nodeName, ClusterPolicies target, Consumer<String> log) {
        this.client = client;
        this.nodeName = nodeName;
        this.target = target;
        this.log = log;
    }

    ClusterPolicies policies() {
        return target;
    }

    /** Follows the API until {@link #close()}. */
    void run() {
        for (Kind k : Kind.values()) {
            start(k);
        }
        boolean dirty = false, failed = false;
        long lastSync = System.nanoTime();
        while (!closed) {
            Event e;
            try {
                e = events.poll(dirty ? 0 : 200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            }
            if (e instanceof Stop) {
                return;
            }
            if (e != null) {
                dirty |= take(e);
                continue; // drain the burst first
            }
            restartDue();
            boolean resync = System.nanoTime() - lastSync > RESYNC.toNanos();
            if (listed.size() < Kind.values().length || !(dirty || failed || resync)) {
                continue;
            }
            try {
                ClusterPolicies.Step step = failed || resync ? target.resync() : target.enforce();
                firstPass.countDown();
                if (step.outcome() != null && changed(step.outcome())) {
                    say(describe(step));
                }
                lastSync = resync || failed ? System.nanoTime() : lastSync;
                failed = false;
            } catch (RuntimeException ex) {
                if (!failed) {
                    say("cannot enforce the policies (" + ex.getMessage() + "); retrying");
                }
                failed = true;
            }
            dirty = false;
        }
    }

    private static boolean changed(podnet.node.policy.PolicyEnforcer.Outcome o) {
        return o.replaced() || o.unitsAdded() + o.unitsRemoved() + o.elementChanges() + o.cut().size() > 0;
    }

    private String describe(ClusterPolicies.Step s) {
        var o = s.outcome();
        return "network policy (" + target + "): " + (o.replaced() ? "table written" : "units +" + o.unitsAdded() + " -"
                + o.unitsRemoved() + ", " + o.elementChanges() + " element changes") + ", " + o.cut().size() + " connections cut";
    }

    /** Applies one event to the wanted state; true when it changed something to enforce. */
    private boolean take(Event e) {
        switch (e) {
            case Listed l -> {
                switch (l.kind()) {
                    case PODS -> target.replacePods(l.items().stream().map(o -> pod((Pod) o)).filter(p -> p != null).toList(),
                            l.items().stream().map(o -> o.getMetadata().getNamespace() + "/" + o.getMetadata().getName())
                                    .collect(java.util.stream.Collectors.toSet()));
                    case NAMESPACES -> {
                        Map<String, Map<String, String>> all = new LinkedHashMap<>();
                        l.items().forEach(o -> all.put(o.getMetadata().getName(), labels(o)));
                        target.replaceNamespaces(all);
                    }
                    case POLICIES -> {
                        List<podnet.node.policy.NetworkPolicy> all = new ArrayList<>();
                        for (HasMetadata o : l.items()) {
                            podnet.node.policy.NetworkPolicy p = policy((NetworkPolicy) o);
                            if (p != null) {
                                all.add(p);
                            }
                        }
                        target.replacePolicies(all);
                    }
                }
                listed.add(l.kind());
                return true;
            }
            case Changed c -> {
                HasMetadata o = c.object();
                boolean gone = c.action() == Watcher.Action.DELETED;
                String ns = o.getMetadata().getNamespace(), name = o.getMetadata().getName();
                switch (c.kind()) {
                    case PODS -> {
                        PolicyPod p = gone ? null : pod((Pod) o);
                        if (gone) {
                            target.podDeleted(ns, name);
                        } else if (p == null) {
                            target.removePod(ns, name);
                        } else {
                            target.putPod(p);
                        }
                    }
                    case NAMESPACES -> {
                        if (gone) {
                            target.removeNamespace(name);
                        } else {
                            target.putNamespace(name, labels(o));
                        }
                    }
                    case POLICIES -> {
                        if (gone) {
                            target.removePolicy(ns, name);
                        } else {
                            podnet.node.policy.NetworkPolicy p = policy((NetworkPolicy) o);
                            if (p != null) {
                                target.putPolicy(p);
                            }
                        }
                    }
                }
                return true;
            }
            case Ended en -> {
                watches.remove(en.kind());
                if (!closed) {
                    start(en.kind());
                }
                return false;
            }
            case Stop s -> {
                return false;
            }
        }
    }

    private void restartDue() {
        long now = System.nanoTime();
        for (Kind k : List.copyOf(retryAt.keySet())) {
            if (retryAt.get(k) <= now) {
                retryAt.remove(k);
                start(k);
            }
        }
    }

    /** Lists {@code kind} (the items go into the queue) and watches it from the list's version; retried later on failure. */
    private void start(Kind kind) {
        try {
            KubernetesResourceList<? extends HasMetadata> list = switch (kind) {
                case PODS -> client.pods().inAnyNamespace().list();
                case NAMESPACES -> client.namespaces().list();
                case POLICIES -> client.network().v1().networkPolicies().inAnyNamespace().list();
            };
            if (kind == Kind.PODS) {
                local.clear();
                list.getItems().forEach(o -> remember((Pod) o, false));
            }
            events.add(new Listed(kind, list.getItems()));
            String version = list.getMetadata().getResourceVersion();
            watches.put(kind, switch (kind) {
                case PODS -> watch(client.pods().inAnyNamespace(), version, kind);
                case NAMESPACES -> watch(client.namespaces(), version, kind);
                case POLICIES -> watch(client.network().v1().networkPolicies().inAnyNamespace(), version, kind);
            });
            if (complained.remove(kind) != null) {
                say("following " + kind.name().toLowerCase() + " again");
            }
        } catch (KubernetesClientException e) {
            if (!closed) {
                if (!String.valueOf(e.getMessage()).equals(complained.put(kind, String.valueOf(e.getMessage())))) {
                    say("cannot follow " + kind.name().toLowerCase() + " (" + e.getMessage() + "); retrying every " + RETRY.toSeconds()
                            + " s, the policy table stays as it is (the agent needs list and watch on pods, namespaces, networkpolicies)");
                }
                retryAt.put(kind, System.nanoTime() + RETRY.toNanos());
            }
        }
    }

    private <T extends HasMetadata> Watch watch(WatchAndWaitable<T> op, String version, Kind kind) {
        return op.withResourceVersion(version).watch(new Watcher<T>() {
            @Override
            public void eventReceived(Action action, T resource) {
                if (action == Action.ADDED || action == Action.MODIFIED || action == Action.DELETED) {
                    if (kind == Kind.PODS) {
                        remember((Pod) resource, action == Action.DELETED);
                    }
                    events.add(new Changed(kind, action, resource));
                }
            }

            @Override
            public void onClose() {
                events.add(new Ended(kind)); // the server ended it: list again
            }

            @Override
            public void onClose(WatcherException cause) {
                events.add(new Ended(kind));
            }
        });
    }

    private void remember(Pod p, boolean gone) {
        String key = p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
        if (!gone && p.getSpec() != null && nodeName.equals(p.getSpec().getNodeName())) {
            local.put(key, p);
        } else {
            local.remove(key);
        }
    }

    /** Waits until the first pass has put the API's view into the kernel; false if that did not happen in time. */
    boolean awaitFirstPass(Duration timeout) throws InterruptedException {
        return firstPass.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The Pod object of this node's pod {@code ns/name}: from the watches, else read from the API; null when the API has none. */
    Pod localPod(String ns, String name) {
        Pod p = local.get(ns + "/" + name);
        return p != null ? p : client.pods().inNamespace(ns).withName(name).get();
    }

    /** This node's pod as policies see it, with the address its CNI ADD gave it (the API may not have it yet). */
    PolicyPod attached(Pod p, InetAddress ip) {
        return pod(new io.fabric8.kubernetes.api.model.PodBuilder(p).editOrNewSpec().withNodeName(nodeName).withHostNetwork(false)
                .endSpec().editOrNewStatus().withPhase("Running").withPodIP(ip.getHostAddress()).withPodIPs().endStatus().build());
    }

    /** A Pod as policies see it; null when it has no IPv4 address of its own (pending, finished, host network). */
    PolicyPod pod(Pod p) {
        if (p.getSpec() != null && Boolean.TRUE.equals(p.getSpec().getHostNetwork())) {
            return null;
        }
        var st = p.getStatus();
        if (st == null || "Succeeded".equals(st.getPhase()) || "Failed".equals(st.getPhase())) {
            return null;
        }
        List<String> ips = new ArrayList<>();
        if (st.getPodIP() != null) {
            ips.add(st.getPodIP());
        }
        if (st.getPodIPs() != null) {
            for (PodIP i : st.getPodIPs()) {
                ips.add(i.getIp());
            }
        }
        InetAddress ip = null;
        for (String s : ips) {
            try {
                Cidr c = Cidr.parse(s.contains("/") ? s : s + "/32");
                if (c.isIpv4()) {
                    ip = c.address();
                    break;
                }
            } catch (IllegalArgumentException e) {
                // not an address: skip it
            }
        }
        if (ip == null) {
            return null;
        }
        List<PolicyPod.NamedPort> ports = new ArrayList<>();
        if (p.getSpec() != null) {
            List<Container> cs = new ArrayList<>(p.getSpec().getContainers());
            if (p.getSpec().getInitContainers() != null) {
                cs.addAll(p.getSpec().getInitContainers()); // sidecars declare ports too
            }
            for (Container c : cs) {
                for (ContainerPort cp : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
                    if (cp.getName() != null && cp.getContainerPort() != null) {
                        ports.add(new PolicyPod.NamedPort(cp.getName(), cp.getContainerPort(),
                                cp.getProtocol() == null ? "TCP" : cp.getProtocol()));
                    }
                }
            }
        }
        String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
        return new PolicyPod(p.getMetadata().getNamespace(), p.getMetadata().getName(), labels(p), ip, ports,
                !nodeName.equals(node));
    }

    private static Map<String, String> labels(HasMetadata o) {
        Map<String, String> l = o.getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }

    /**
     * The API's NetworkPolicy read by podnet's own validation (the same as {@code policy apply}):
     * its name, namespace and spec only, so an update that changes nothing else is no change.
     * One podnet refuses (SCTP, say) is left out, and named in the log.
     */
    podnet.node.policy.NetworkPolicy policy(NetworkPolicy np) {
        String ns = np.getMetadata().getNamespace(), name = np.getMetadata().getName();
        String spec = np.getSpec() == null ? "{}" : client.getKubernetesSerialization().asJson(np.getSpec());
        String text = "{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"NetworkPolicy\",\"metadata\":{\"name\":"
                + json(name) + ",\"namespace\":" + json(ns) + "},\"spec\":" + spec + "}";
        try {
            return PolicyManifest.parse(text, ns, false).getFirst();
        } catch (PolicyException e) {
            say("NetworkPolicy " + ns + "/" + name + " is not enforced: " + e.getMessage().replace('\n', ' '));
            return null;
        }
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private void say(String m) {
        log.accept(m);
    }

    @Override
    public void close() {
        closed = true;
        events.add(new Stop());
        for (Watch w : List.copyOf(watches.values())) {
            try {
                w.close();
            } catch (RuntimeException e) {
                // closing anyway
            }
        }
    }
}
