package podnet.node.policy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import podnet.linux.conntrack.Conntrack;
import podnet.linux.conntrack.ConntrackEntry;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.Addresses;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.nftables.FilterSet;
import podnet.linux.nftables.FilterTable;
import podnet.linux.nftables.FilterTable.ElementChange;
import podnet.linux.nftables.SetKey;
import podnet.linux.ns.Netns;
import podnet.linux.sysctl.Sysctl;

/**
 * Puts a {@link PolicyView} into the node's kernel: the table {@code inet podnet-policy} in the
 * node namespace, where bridged pod-to-pod traffic passes the forward hook (br_netfilter) and is
 * tracked by conntrack. Every change is one transaction; the callers serialise changes (one
 * lock per node).
 */
public final class PolicyEnforcer {
    public static final String TABLE = "podnet-policy";

    private final Netns node;

    public PolicyEnforcer(Netns node) {
        this.node = node;
    }

    /** What a sync did. */
    public record Outcome(boolean replaced, int elementChanges, List<ConntrackEntry> cut) {}

    /**
     * Brings the table to {@code view}: with no policies, no table at all; with the same shape
     * as the kernel's, only the set elements that differ; otherwise a whole new table in one
     * transaction. Then removes the conntrack entries of connections the view forbids, so they
     * are cut rather than kept alive by {@code ct state established}.
     */
    public Outcome sync(PolicyView view) {
        try (FilterTable table = FilterTable.open(node, TABLE)) {
            if (view.policies().isEmpty()) {
                if (table.comment().isPresent()) {
                    table.destroy();
                    return new Outcome(true, 0, List.of());
                }
                return new Outcome(false, 0, List.of());
            }
            RulesetCompiler.Compiled want = RulesetCompiler.compile(view);
            Optional<String> have = table.comment();
            boolean replaced = false;
            int changes = 0;
            if (have.isPresent() && have.get().equals(want.fingerprint())) {
                List<ElementChange> diff = new ArrayList<>();
                for (FilterSet s : want.podSets()) {
                    Set<SetKey> now = table.keys(s.name());
                    for (SetKey k : now) {
                        if (!s.keys().contains(k)) {
                            diff.add(new ElementChange(s.name(), k, false));
                        }
                    }
                    for (SetKey k : s.keys()) {
                        if (!now.contains(k)) {
                            diff.add(new ElementChange(s.name(), k, true));
                        }
                    }
                }
                table.change(diff);
                changes = diff.size();
            } else {
                // Bridged frames reach the inet hooks only with this on (the default in a new netns).
                Sysctl.ensure(node, "net/bridge/bridge-nf-call-iptables", "1");
                table.replace(want.ruleset(), want.fingerprint());
                replaced = true;
            }
            return new Outcome(replaced, changes, cutForbidden(view));
        }
    }

    /**
     * A pod with a new address: adds it to the sets it belongs in (one transaction, no set is
     * read), so it is covered before its containers start. Falls back to {@link #sync} when the
     * kernel's table does not have the view's shape.
     */
    public void podAdded(PolicyView view, PolicyPod pod) {
        membership(view, pod, true);
    }

    /** A pod going away: its address leaves every set it was in. */
    public void podRemoved(PolicyView view, PolicyPod pod) {
        membership(view, pod, false);
    }

    private void membership(PolicyView view, PolicyPod pod, boolean add) {
        if (view.policies().isEmpty() || pod.ip() == null) {
            return;
        }
        // The sets' contents are per pod: compiled for this pod alone, they hold just its memberships.
        RulesetCompiler.Compiled one = RulesetCompiler.compile(view.withPods(List.of(pod)));
        try (FilterTable table = FilterTable.open(node, TABLE)) {
            Optional<String> have = table.comment();
            if (have.isEmpty() || !have.get().equals(one.fingerprint())) {
                sync(add ? view : view.withPods(view.pods().stream().filter(p -> !p.key().equals(pod.key())).toList()));
                return;
            }
            List<ElementChange> changes = new ArrayList<>();
            for (FilterSet s : one.podSets()) {
                for (SetKey k : s.keys()) {
                    changes.add(new ElementChange(s.name(), k, add));
                }
            }
            table.change(changes);
        }
    }

    /** Removes the table (no policies left, or the node is being torn down). */
    public void clear() {
        try (FilterTable table = FilterTable.open(node, TABLE)) {
            table.destroy();
        }
    }

    /** Deletes the conntrack entries of flows between pods (or a pod and the outside) that the view forbids. */
    List<ConntrackEntry> cutForbidden(PolicyView view) {
        Set<InetAddress> local = new HashSet<>();
        try (NetlinkHandle h = NetlinkHandle.open(node)) {
            for (Address a : h.addresses().list(Addresses.FAMILY_ALL)) {
                local.add(a.cidr().address());
            }
        }
        PolicyEvaluator evaluator = new PolicyEvaluator(view);
        List<ConntrackEntry> cut = new ArrayList<>();
        try (Conntrack ct = Conntrack.open(node)) {
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
