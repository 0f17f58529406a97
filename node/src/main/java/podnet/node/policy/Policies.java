package podnet.node.policy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import podnet.linux.ns.Netns;
import podnet.node.namespace.NamespaceStore;

/**
 * The node's NetworkPolicies: stored under the state directory, enforced in the node
 * namespace's kernel after every change (apply, delete, a namespace relabelled, a pod coming,
 * going or relabelled), explained on request. {@code pods} lists the node's pods as policies
 * see them.
 */
public final class Policies {
    private final Path stateDir;
    private final PolicyStore store;
    private final NamespaceStore namespaces;
    private final Supplier<List<PolicyPod>> pods;
    private final PolicyEnforcer enforcer;

    public Policies(Path stateDir, Netns node, Supplier<List<PolicyPod>> pods) {
        this.stateDir = stateDir;
        this.store = new PolicyStore(stateDir);
        this.namespaces = new NamespaceStore(stateDir);
        this.pods = pods;
        this.enforcer = new PolicyEnforcer(node);
    }

    public PolicyStore store() {
        return store;
    }

    /** The policies, namespaces and pods as they are now. */
    public PolicyView view() {
        return new PolicyView(store.list(), namespaceLabels(), pods.get());
    }

    private Map<String, Map<String, String>> namespaceLabels() {
        Map<String, Map<String, String>> ns = new LinkedHashMap<>();
        for (NamespaceStore.Namespace n : namespaces.list()) {
            ns.put(n.name(), n.labels());
        }
        return ns;
    }

    /** Stores the policies (replacing ones of the same namespace/name) and enforces the result. */
    public PolicyEnforcer.Outcome apply(List<NetworkPolicy> policies) {
        try (PolicyLock l = PolicyLock.hold(stateDir)) {
            PolicyView before = view();
            for (NetworkPolicy p : policies) {
                store.save(p);
            }
            return enforcer.policiesChanged(before, before.withPolicies(store.list()));
        }
    }

    /** Deletes one policy; false (and nothing changed) when there is none. */
    public boolean delete(String ns, String name) {
        try (PolicyLock l = PolicyLock.hold(stateDir)) {
            PolicyView before = view();
            if (!store.delete(ns, name)) {
                return false;
            }
            enforcer.policiesChanged(before, before.withPolicies(store.list()));
            return true;
        }
    }

    /** Enforces the stored state again (after namespace or pod labels changed, or to repair the kernel's table). */
    public PolicyEnforcer.Outcome sync() {
        try (PolicyLock l = PolicyLock.hold(stateDir)) {
            return enforcer.sync(view());
        }
    }

    /** Sets and removes namespace labels, then enforces. */
    public NamespaceStore.Namespace labelNamespace(String ns, Map<String, String> set, List<String> remove) {
        try (PolicyLock l = PolicyLock.hold(stateDir)) {
            NamespaceStore.Namespace n = namespaces.label(ns, set, remove);
            enforcer.sync(view());
            return n;
        }
    }

    /**
     * Forgets namespace {@code ns} and its labels, refused while a pod is in it ({@code podsIn}
     * lists them, asked under the node's policy lock so no pod joins meanwhile) and for
     * {@code default}. Its policies are kept, as for any namespace that does not exist, and
     * returned. Nothing is enforced anew: with no pod in it, no flow depends on its labels.
     */
    public List<NetworkPolicy> deleteNamespace(String ns, Supplier<List<String>> podsIn) {
        NamespaceStore.checkName(ns);
        if (NamespaceStore.DEFAULT.equals(ns)) {
            throw new PolicyException("namespace \"default\" cannot be deleted", "it always exists; delete its pods or policies instead");
        }
        try (PolicyLock l = PolicyLock.hold(stateDir)) {
            if (!namespaces.exists(ns)) {
                throw new PolicyException("namespace \"" + ns + "\" not found", "see `podnet namespace list`");
            }
            List<String> left = podsIn.get();
            if (!left.isEmpty()) {
                throw new PolicyException("namespace " + ns + " still has " + left.size() + " pod(s): " + String.join(", ", left),
                        "remove them first: podnet pod rm " + String.join(" ", left.stream().map(p -> ns + "/" + p).toList()));
            }
            namespaces.delete(ns);
            return store.list().stream().filter(p -> p.namespace().equals(ns)).toList();
        }
    }

    /**
     * A pod got its address: it joins its sets before anything runs in it. Only the policies
     * and the pod's own namespace are read — its memberships depend on nothing else (a peer set
     * matches a pod by its namespace's labels) — and the rest only if the kernel's table needs
     * rebuilding.
     */
    public void podAdded(PolicyPod pod) {
        try (PolicyLock l = PolicyLock.hold(stateDir)) {
            NamespaceStore.Namespace ns = namespaces.ensure(pod.namespace());
            List<NetworkPolicy> ps = store.list();
            if (ps.isEmpty()) {
                return;
            }
            PolicyView v = new PolicyView(ps, Map.of(ns.name(), ns.labels()), List.of(pod));
            enforcer.podAdded(v, pod, () -> {
                List<PolicyPod> all = new ArrayList<>(others(pod));
                all.add(pod);
                return new PolicyView(store.list(), namespaceLabels(), all);
            });
        }
    }

    /** A pod is going: its address leaves the sets. */
    public void podRemoved(PolicyPod pod) {
        try (PolicyLock l = PolicyLock.hold(stateDir)) {
            List<NetworkPolicy> ps = store.list();
            if (ps.isEmpty()) {
                return;
            }
            Map<String, Map<String, String>> ns = namespaces.get(pod.namespace())
                    .map(n -> Map.of(n.name(), n.labels())).orElse(Map.of());
            PolicyView v = new PolicyView(ps, ns, List.of(pod));
            enforcer.podRemoved(v, pod, () -> new PolicyView(store.list(), namespaceLabels(), others(pod)));
        }
    }

    private List<PolicyPod> others(PolicyPod pod) {
        return pods.get().stream().filter(p -> !p.key().equals(pod.key())).toList();
    }

    /** Whether SRC may reach DST on protocol/port, and why. */
    public PolicyDecision explain(InetAddress src, InetAddress dst, int protocol, int port) {
        return new PolicyEvaluator(view()).decide(src, dst, protocol, port);
    }

    public NamespaceStore namespaces() {
        return namespaces;
    }
}
