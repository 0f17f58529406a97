package podnet.node.policy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import podnet.linux.conntrack.Conntrack;
import podnet.linux.conntrack.ConntrackEntry;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.Addresses;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.nftables.FilterChain;
import podnet.linux.nftables.FilterEdit;
import podnet.linux.nftables.FilterSet;
import podnet.linux.nftables.FilterTable;
import podnet.linux.nftables.FilterTable.ElementChange;
import podnet.linux.nftables.SetKey;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;
import podnet.linux.sysctl.Sysctl;
import podnet.node.policy.RulesetCompiler.Compiled;
import podnet.node.policy.RulesetCompiler.Unit;

/**
 * Puts a {@link PolicyView} into the node's kernel: the table {@code inet podnet-policy} in the
 * node namespace, where bridged pod-to-pod traffic passes the forward hook (br_netfilter) and is
 * tracked by conntrack. Every change is one transaction; the callers serialise changes (one
 * lock per node), so between two changes the kernel holds what the last one wrote. Each call
 * does its work on one thread inside the node namespace.
 */
public final class PolicyEnforcer {
    public static final String TABLE = "podnet-policy";

    private final Netns node;

    public PolicyEnforcer(Netns node) {
        this.node = node;
    }

    /**
     * What a change did: the whole table written anew, or units (one per policy) added and
     * removed with element changes; the connections cut.
     */
    public record Outcome(boolean replaced, int unitsAdded, int unitsRemoved, int elementChanges, List<ConntrackEntry> cut) {
        static final Outcome NOTHING = new Outcome(false, 0, 0, 0, List.of());
    }

    /**
     * Brings the whole table to {@code view}, checking every set's elements against the
     * kernel's (after pods or namespaces were relabelled, or to repair), then cuts the
     * connections the view forbids.
     */
    public Outcome sync(PolicyView view) {
        return node.call(() -> enforce(view, true, true));
    }

    /**
     * Only policies changed from {@code before} to {@code after} (same pods, same namespaces):
     * the units of changed policies are replaced, the others left as they are. Connections are
     * cut unless the change can only allow more (see {@link Widening}).
     */
    public Outcome policiesChanged(PolicyView before, PolicyView after) {
        return node.call(() -> enforce(after, false, !Widening.only(before, after)));
    }

    /**
     * A pod with a new address joins the sets it belongs in: one transaction, nothing read, no
     * conntrack pass (a new pod has no connections). {@code view} needs the policies and
     * namespaces only. When the kernel does not hold the sets the policies name (the table is
     * missing or older), the whole table is brought to {@code everything} instead.
     */
    public void podAdded(PolicyView view, PolicyPod pod, Supplier<PolicyView> everything) {
        membership(view, pod, true, everything);
    }

    /** A pod going away: its address leaves every set it was in. */
    public void podRemoved(PolicyView view, PolicyPod pod, Supplier<PolicyView> everything) {
        membership(view, pod, false, everything);
    }

    private void membership(PolicyView view, PolicyPod pod, boolean add, Supplier<PolicyView> everything) {
        if (view.policies().isEmpty() || pod.ip() == null) {
            return;
        }
        send(RulesetCompiler.memberships(view, pod, add), everything);
    }

    /**
     * Pods replaced in one element batch (a CNI ADD whose address an older pod had): {@code gone}'s
     * elements as {@code before} put them leave, {@code come}'s as {@code after} wants them join;
     * an element in both is left alone. Returns the number of element changes sent.
     */
    public int podsReplaced(PolicyView before, List<PolicyPod> gone, PolicyView after, List<PolicyPod> come,
            Supplier<PolicyView> everything) {
        Set<Element> out = new LinkedHashSet<>(), in = new LinkedHashSet<>();
        for (PolicyPod p : gone) {
            if (!before.policies().isEmpty() && p.ip() != null) {
                RulesetCompiler.memberships(before, p, false).forEach(c -> out.add(new Element(c.set(), c.key())));
            }
        }
        for (PolicyPod p : come) {
            if (!after.policies().isEmpty() && p.ip() != null) {
                RulesetCompiler.memberships(after, p, true).forEach(c -> in.add(new Element(c.set(), c.key())));
            }
        }
        List<ElementChange> changes = new ArrayList<>();
        out.stream().filter(e -> !in.contains(e)).forEach(e -> changes.add(new ElementChange(e.set(), e.key(), false)));
        in.stream().filter(e -> !out.contains(e)).forEach(e -> changes.add(new ElementChange(e.set(), e.key(), true)));
        send(changes, everything);
        return changes.size();
    }

    /** A set's element, whichever way it changes. */
    private record Element(String set, SetKey key) {}

    private void send(List<ElementChange> changes, Supplier<PolicyView> everything) {
        if (changes.isEmpty()) {
            return;
        }
        node.call(() -> {
            try (FilterTable table = FilterTable.open(Netns.CURRENT, TABLE)) {
                table.change(changes);
            } catch (NetlinkException e) {
                if (!e.is(Errno.ENOENT)) {
                    throw e;
                }
                enforce(everything.get(), true, true);
            }
            return null;
        });
    }

    /** Removes the table (no policies left, or the node is being torn down). */
    public void clear() {
        node.call(() -> {
            try (FilterTable table = FilterTable.open(Netns.CURRENT, TABLE)) {
                table.destroy();
            }
            return null;
        });
    }

    /** On the node namespace's thread: the table brought to {@code view}. */
    private Outcome enforce(PolicyView view, boolean checkKept, boolean cut) {
        try (FilterTable table = FilterTable.open(Netns.CURRENT, TABLE)) {
            Optional<String> have = table.comment();
            if (view.policies().isEmpty()) {
                if (have.isEmpty()) {
                    return Outcome.NOTHING;
                }
                table.destroy(); // no isolation left: nothing becomes forbidden
                return new Outcome(true, 0, 0, 0, List.of());
            }
            Compiled want = RulesetCompiler.compile(view);
            Set<String> chains = have.isPresent() ? table.chains() : Set.of(), sets = have.isPresent() ? table.sets() : Set.of();
            boolean layoutOk = have.isPresent() && have.get().equals(RulesetCompiler.LAYOUT)
                    && chains.containsAll(RulesetCompiler.FIXED_CHAINS)
                    && sets.containsAll(List.of(RulesetCompiler.EGRESS_ISOLATED, RulesetCompiler.INGRESS_ISOLATED));
            if (!layoutOk) {
                // Bridged frames reach the inet hooks only with this on (the default in a new netns).
                Sysctl.ensure(Netns.CURRENT, "net/bridge/bridge-nf-call-iptables", "1");
                table.replace(want.ruleset(), RulesetCompiler.LAYOUT);
                return new Outcome(true, want.templates().size(), 0, 0, cut ? cutForbidden(view) : List.of());
            }
            Outcome o = edit(table, want, chains, sets, checkKept);
            return cut ? new Outcome(false, o.unitsAdded(), o.unitsRemoved(), o.elementChanges(), cutForbidden(view)) : o;
        }
    }

    /** One transaction: stale units out, missing units in, base chains rewritten if units changed, elements diffed. */
    private static Outcome edit(FilterTable table, Compiled want, Set<String> chains, Set<String> sets, boolean checkKept) {
        Set<String> wantedChains = new HashSet<>(RulesetCompiler.FIXED_CHAINS);
        Set<String> wantedSets = new HashSet<>(List.of(RulesetCompiler.EGRESS_ISOLATED, RulesetCompiler.INGRESS_ISOLATED));
        Set<String> removeChains = new LinkedHashSet<>(), removeSets = new LinkedHashSet<>();
        List<FilterSet> addSets = new ArrayList<>();
        List<FilterChain> addChains = new ArrayList<>();
        List<FilterSet> diffed = new ArrayList<>(List.of(want.egressIsolated(), want.ingressIsolated()));
        int added = 0;
        for (UnitTemplate t : want.templates()) {
            List<String> cs = t.chainNames(), ss = t.setNames();
            wantedChains.addAll(cs);
            wantedSets.addAll(ss);
            if (chains.containsAll(cs) && sets.containsAll(ss)) {
                if (checkKept) {
                    diffed.addAll(t.fill(want.view()).podSets());
                }
                continue;
            }
            // Missing or partly there: whatever is there goes, all of it is made anew.
            cs.stream().filter(chains::contains).forEach(removeChains::add);
            ss.stream().filter(sets::contains).forEach(removeSets::add);
            Unit u = t.fill(want.view());
            addSets.addAll(u.sets());
            addChains.addAll(u.chains());
            added++;
        }
        Set<String> stale = new LinkedHashSet<>();
        chains.stream().filter(c -> !wantedChains.contains(c)).forEach(c -> {
            removeChains.add(c);
            stale.add(RulesetCompiler.unitOf(c));
        });
        sets.stream().filter(s -> !wantedSets.contains(s)).forEach(s -> {
            removeSets.add(s);
            stale.add(RulesetCompiler.unitOf(s));
        });
        boolean unitsChanged = added > 0 || !stale.isEmpty();
        List<ElementChange> elements = new ArrayList<>();
        for (FilterSet s : diffed) {
            Set<SetKey> now = table.keys(s.name());
            now.stream().filter(k -> !s.keys().contains(k)).forEach(k -> elements.add(new ElementChange(s.name(), k, false)));
            s.keys().stream().filter(k -> !now.contains(k)).forEach(k -> elements.add(new ElementChange(s.name(), k, true)));
        }
        table.edit(new FilterEdit(List.copyOf(removeChains), List.copyOf(removeSets), addSets, addChains,
                unitsChanged ? want.baseChains() : List.of(), elements));
        return new Outcome(false, added, stale.size(), elements.size(), List.of());
    }

    /** Deletes the conntrack entries of flows between pods (or a pod and the outside) that the view forbids. */
    private static List<ConntrackEntry> cutForbidden(PolicyView view) {
        Set<InetAddress> local = new HashSet<>();
        try (NetlinkHandle h = NetlinkHandle.open(Netns.CURRENT)) {
            for (Address a : h.addresses().list(Addresses.FAMILY_ALL)) {
                local.add(a.cidr().address());
            }
        }
        PolicyEvaluator evaluator = new PolicyEvaluator(view);
        List<ConntrackEntry> cut = new ArrayList<>();
        try (Conntrack ct = Conntrack.open(Netns.CURRENT)) {
            for (ConntrackEntry e : ct.list()) {
                if (local.contains(e.source()) || local.contains(e.destination())) {
                    continue; // the node's own connections are never filtered
                }
                if (view.podAt(e.source()) == null && view.podAt(e.destination()) == null) {
                    continue;
                }
                if (!evaluator.decide(e.source(), e.destination(), e.protocol(), e.destinationPort()).allowed() && ct.delete(e)) {
                    cut.add(e);
                }
            }
        }
        return cut;
    }
}
