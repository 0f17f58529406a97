package podnet.node.policy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 */
public final class ClusterPolicies {
    private final PolicyEnforcer enforcer;
    private final Path stateDir;
    private final Map<String, NetworkPolicy> policies = new TreeMap<>();
    private final Map<String, Map<String, String>> namespaces = new TreeMap<>();
    private final Map<String, PolicyPod> pods = new TreeMap<>();
    private PolicyView enforced;
    private long enforcements;

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
            pods.remove(pod.key());
        } else {
            pods.put(pod.key(), pod);
        }
    }

    public synchronized void removePod(String namespace, String name) {
        pods.remove(namespace + "/" + name);
    }

    public synchronized void replacePods(Collection<PolicyPod> all) {
        pods.clear();
        all.forEach(this::putPod);
    }

    /** Everything as wanted now. */
    public synchronized PolicyView view() {
        return new PolicyView(List.copyOf(policies.values()), namespaces, List.copyOf(pods.values()));
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
                + pods.values().stream().filter(p -> !p.remote()).count() + " here)";
    }
}
