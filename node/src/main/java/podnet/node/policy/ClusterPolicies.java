package podnet.node.policy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import podnet.node.namespace.NamespaceStore;

/**
 * A whole cluster's policies, namespaces and pods as an API server reports them, enforced on one
 * node through the same {@link PolicyEnforcer} as {@code policy apply}. Changes only edit what is
 * wanted; {@link #enforce()} puts everything changed since the last call into the kernel, with as
 * little as it can: pods that only came or went are element changes, changed policies replace
 * their units, anything else (labels changed) is a full sync against the kernel's sets.
 *
 * <p>Pods of other nodes are peers here ({@link PolicyPod#remote()}); a policy of a namespace
 * that does not exist (yet) is kept like any other and selects its pods once they appear.
 * Thread-safe; {@link #enforce()} runs under the node's policy lock.
 *
 * <p>This node's CNI ADDs and DELs come first: {@link #attach} puts a pod's address into the
 * kernel's sets before the API knows it (and takes out whatever pod the kernel had at that
 * address: the address was released and reused), {@link #detach} takes it out. Until the pod
 * leaves the API, the CNI's word wins over what the API says of that pod or that address, so
 * the API's later report of the same pod is no change and its stale report of an older pod at a
 * reused address is ignored.
 */
public final class ClusterPolicies {
    private final PolicyEnforcer enforcer;
    private final Path stateDir;
    private final Map<String, NetworkPolicy> policies = new TreeMap<>();
    private final Map<String, Map<String, String>> namespaces = new TreeMap<>();
    private final Map<String, PolicyPod> pods = new TreeMap<>();
    /** Pods this node's CNI ADD announced, by key: their sandbox and the pod with the CNI's address. */
    private final Map<String, Attached> attached = new TreeMap<>();
    /** Pods whose CNI DEL came, by key: the address they had (null: any), hidden while the API still reports it. */
    private final Map<String, InetAddress> detached = new HashMap<>();
    private PolicyView enforced;
    private long enforcements;

    private record Attached(String containerId, PolicyPod pod) {}

    /** What one {@link #enforce()} did: which way, and the enforcer's outcome (null: nothing to do). */
    public record Step(String how, PolicyEnforcer.Outcome outcome) {}

    /** @param stateDir the node's state directory, whose policy lock serialises changes to the table */
    public ClusterPolicies(PolicyEnforcer enforcer, Path stateDir) {
        this.enforcer = enforcer;
        this.stateDir = stateDir;
    }

    /** Adds or replaces a policy (by namespace and name); an equal one is kept as it is. */
    public synchronized void putPolicy(NetworkPolicy p) {
        NetworkPolicy old = policies.get(p.key());
        if (!p.equals(old)) {
            policies.put(p.key(), p);
        }
    }

    public synchronized void removePolicy(String namespace, String name) {
        policies.remove(namespace + "/" + name);
    }

    /** The policies wanted now: every one given, whether its namespace exists or not. */
    public synchronized void replacePolicies(Collection<NetworkPolicy> all) {
        Map<String, NetworkPolicy> old = new HashMap<>(policies);
        policies.clear();
        for (NetworkPolicy p : all) {
            NetworkPolicy was = old.get(p.key());
            policies.put(p.key(), p.equals(was) ? was : p);
        }
    }

    /** A namespace and its labels; the name label is added as the API server does. */
    public synchronized void putNamespace(String name, Map<String, String> labels) {
        Map<String, String> l = new TreeMap<>(labels);
        l.put(NamespaceStore.NAME_LABEL, name);
        namespaces.put(name, Map.copyOf(l));
    }

    public synchronized void removeNamespace(String name) {
        namespaces.remove(name);
    }

    public synchronized void replaceNamespaces(Map<String, Map<String, String>> all) {
        namespaces.clear();
        all.forEach(this::putNamespace);
    }

    /** Adds or replaces a pod (by namespace and name); one without an address is removed. */
    public synchronized void putPod(PolicyPod pod) {
        if (pod.ip() == null) {
            removePod(pod.namespace(), pod.name());
            return;
        }
        pods.put(pod.key(), pod);
        Attached a = attached.get(pod.key());
        if (a != null) { // the API's labels and ports, the CNI's address
            attached.put(pod.key(), new Attached(a.containerId(), new PolicyPod(pod.namespace(), pod.name(), pod.labels(),
                    a.pod().ip(), pod.ports(), false)));
        }
        InetAddress gone = detached.get(pod.key());
        if (gone != null && !gone.equals(pod.ip())) {
            detached.remove(pod.key()); // a new sandbox's address: not the one its DEL took out
        }
    }

    /** The API reports the pod without an address (pending, finished): a CNI ADD's attachment stays until its DEL. */
    public synchronized void removePod(String namespace, String name) {
        pods.remove(namespace + "/" + name);
        detached.remove(namespace + "/" + name);
    }

    /** The pod is gone from the API: whatever this node's CNI said of it goes too. */
    public synchronized void podDeleted(String namespace, String name) {
        String key = namespace + "/" + name;
        pods.remove(key);
        attached.remove(key);
        detached.remove(key);
    }

    public synchronized void replacePods(Collection<PolicyPod> all) {
        replacePods(all, all.stream().map(PolicyPod::key).collect(Collectors.toSet()));
    }

    /** The API's pods anew: {@code withAddress} as policies see them, {@code listed} the keys of every pod listed. */
    public synchronized void replacePods(Collection<PolicyPod> withAddress, Set<String> listed) {
        pods.clear();
        attached.keySet().retainAll(listed);
        detached.keySet().retainAll(listed);
        withAddress.forEach(this::putPod);
    }

    /**
     * A CNI ADD on this node: {@code pod} (with the address the ADD gave it) joins the kernel's
     * sets now, in one element batch that also takes out the pod the kernel had at that address or
     * under that key. The policies and namespaces are those last enforced (what the kernel's sets
     * are made of); a later {@link #enforce()} brings any newer ones. Before the first
     * {@link #enforce()} only recorded (that first pass puts it in).
     *
     * @return what was done, for the log and the plugin
     */
    public synchronized String attach(PolicyPod pod, String containerId) {
        String key = pod.key();
        attached.entrySet().removeIf(e -> !e.getKey().equals(key) && e.getValue().pod().ip().equals(pod.ip()));
        attached.put(key, new Attached(containerId, pod));
        detached.remove(key);
        // Whoever the API still reports at this address is gone from this node (its DEL did not reach us).
        pods.values().stream().filter(p -> !p.key().equals(key) && p.ip().equals(pod.ip())).forEach(p -> detached.put(p.key(), p.ip()));
        if (enforced == null) {
            return "recorded for the first pass";
        }
        Map<String, PolicyPod> now = new TreeMap<>();
        List<PolicyPod> gone = new ArrayList<>();
        for (PolicyPod p : enforced.pods()) {
            if (p.key().equals(key) || p.ip().equals(pod.ip())) {
                gone.add(p);
            } else {
                now.put(p.key(), p);
            }
        }
        gone.stream().filter(p -> !p.key().equals(key)).forEach(p -> detached.put(p.key(), p.ip()));
        if (gone.equals(List.of(pod))) {
            return "already in";
        }
        now.put(key, pod);
        return replaceEnforced(gone, now, List.of(pod)) + " element changes"
                + gone.stream().filter(p -> !p.key().equals(key)).map(p -> ", " + p.key() + " had the address").collect(Collectors.joining());
    }

    /**
     * A CNI DEL on this node: the pod's elements leave the kernel's sets now. A DEL of an older
     * sandbox of a pod that has been attached anew since is nothing.
     */
    public synchronized String detach(String namespace, String name, String containerId) {
        String key = namespace + "/" + name;
        Attached a = attached.get(key);
        if (a != null && !a.containerId().equals(containerId)) {
            return "not the pod's sandbox now";
        }
        attached.remove(key);
        PolicyPod api = pods.get(key);
        PolicyPod had = enforced == null ? null : enforced.pods().stream().filter(p -> p.key().equals(key)).findFirst().orElse(null);
        InetAddress ip = a != null ? a.pod().ip() : had != null ? had.ip() : api != null ? api.ip() : null;
        detached.put(key, ip);
        if (had == null) {
            return "not in the sets";
        }
        Map<String, PolicyPod> now = new TreeMap<>();
        enforced.pods().stream().filter(p -> !p.key().equals(key)).forEach(p -> now.put(p.key(), p));
        return replaceEnforced(List.of(had), now, List.of()) + " element changes";
    }

    private int replaceEnforced(List<PolicyPod> gone, Map<String, PolicyPod> now, List<PolicyPod> come) {
        PolicyView before = enforced, next = enforced.withPods(List.copyOf(now.values()));
        int n;
        try (PolicyLock l = PolicyLock.hold(stateDir)) {
            n = enforcer.podsReplaced(before, gone, next, come, () -> next);
        }
        enforced = next;
        return n;
    }

    /** Everything as wanted now. */
    public synchronized PolicyView view() {
        Map<String, PolicyPod> m = new TreeMap<>(pods);
        detached.forEach((key, ip) -> {
            PolicyPod p = m.get(key);
            if (p != null && (ip == null || ip.equals(p.ip()))) {
                m.remove(key);
            }
        });
        Map<InetAddress, String> claimed = new HashMap<>();
        attached.forEach((key, a) -> claimed.put(a.pod().ip(), key));
        m.values().removeIf(p -> claimed.containsKey(p.ip()) && !claimed.get(p.ip()).equals(p.key()));
        attached.forEach((key, a) -> m.put(key, a.pod()));
        return new PolicyView(List.copyOf(policies.values()), namespaces, List.copyOf(m.values()));
    }

    /** The view last put into the kernel (null before the first {@link #enforce()}). */
    public synchronized PolicyView enforced() {
        return enforced;
    }

    /** How many {@link #enforce()} calls changed or checked the kernel. */
    public synchronized long enforcements() {
        return enforcements;
    }

    /** Puts what changed since the last call into the node's kernel; the first call syncs fully. */
    public synchronized Step enforce() {
        PolicyView want = view();
        PolicyView last = enforced;
        if (last != null && last.equals(want)) {
            return new Step("unchanged", null);
        }
        Step step;
        try (PolicyLock l = PolicyLock.hold(stateDir)) {
            step = apply(last, want);
        }
        enforced = want;
        enforcements++;
        return step;
    }

    /** Checks every set against the kernel and cuts what the view forbids (a repair pass). */
    public synchronized Step resync() {
        PolicyView want = view();
        Step step;
        try (PolicyLock l = PolicyLock.hold(stateDir)) {
            step = new Step("sync", enforcer.sync(want));
        }
        enforced = want;
        enforcements++;
        return step;
    }

    private Step apply(PolicyView last, PolicyView want) {
        if (last == null) {
            return new Step("sync", enforcer.sync(want));
        }
        boolean samePolicies = last.policies().equals(want.policies()), sameNamespaces = last.namespaces().equals(want.namespaces());
        Map<String, PolicyPod> before = byKey(last.pods()), after = byKey(want.pods());
        if (sameNamespaces && before.equals(after)) {
            return new Step("policies", enforcer.policiesChanged(last, want));
        }
        if (!samePolicies || !sameNamespaces) {
            return new Step("sync", enforcer.sync(want));
        }
        // Only pods: those that came or went are element changes, any other change a full sync.
        List<PolicyPod> gone = new ArrayList<>(), come = new ArrayList<>();
        for (PolicyPod p : before.values()) {
            PolicyPod now = after.get(p.key());
            if (now == null) {
                gone.add(p);
            } else if (!now.equals(p)) {
                return new Step("sync", enforcer.sync(want));
            }
        }
        for (PolicyPod p : after.values()) {
            if (!before.containsKey(p.key())) {
                if (want.podAt(p.ip()) != p || last.podAt(p.ip()) != null) {
                    return new Step("sync", enforcer.sync(want)); // an address given to two pods, or reused at once
                }
                come.add(p);
            }
        }
        for (PolicyPod p : gone) {
            enforcer.podRemoved(last, p, () -> want);
        }
        for (PolicyPod p : come) {
            enforcer.podAdded(want, p, () -> want);
        }
        return new Step("pods +" + come.size() + " -" + gone.size(), null);
    }

    private static Map<String, PolicyPod> byKey(List<PolicyPod> pods) {
        Map<String, PolicyPod> m = new HashMap<>();
        for (PolicyPod p : pods) {
            m.put(p.key(), p);
        }
        return m;
    }

    @Override
    public synchronized String toString() {
        return policies.size() + " policies, " + namespaces.size() + " namespaces, " + pods.size() + " pods ("
                + pods.values().stream().filter(p -> !p.remote()).count() + " here" + (attached.isEmpty() ? "" : ", " + attached.size()
                + " attached by CNI") + ")";
    }
}
