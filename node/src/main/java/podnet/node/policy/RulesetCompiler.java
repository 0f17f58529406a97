package podnet.node.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import podnet.linux.nftables.AddressRange;
import podnet.linux.nftables.FilterChain;
import podnet.linux.nftables.FilterRule;
import podnet.linux.nftables.FilterRule.Match;
import podnet.linux.nftables.FilterRule.Verdict;
import podnet.linux.nftables.FilterRuleset;
import podnet.linux.nftables.FilterSet;
import podnet.linux.nftables.SetKey;

/**
 * Turns policies into the node's filter table. The chains and rules depend on the policies
 * alone; pods only ever appear as set elements, so a pod coming, going or being relabelled is an
 * element change, and the {@link #fingerprint} (a hash of everything but those elements) tells
 * whether the kernel's table has the right shape for one.
 *
 * <pre>
 * set egress-isolated, ingress-isolated      pods selected by some policy of that type
 * set pN-pods                                pods policy N selects
 * set pN-inI-peers / pN-outI-peers           pods a peer of rule I matches
 * set pN-inI-cidrs / pN-outI-cidrs           its ipBlocks, excepts cut out (interval set)
 * set pN-inI-portK / pN-outI-portK           address . proto . port of named port K's pods
 * chain pN-ingress / pN-egress               one accept rule per peer kind x port entry
 * chain pod-egress  (forward, priority 0)    ct established,related accept;
 *                                            ip saddr @pN-pods jump pN-egress ...; ip saddr @egress-isolated drop
 * chain pod-ingress (forward, priority 1)    the same for ip daddr
 * </pre>
 * An accept ends one base chain, so egress is checked first and ingress after it; a drop ends
 * both. Traffic from the node to a pod takes the output hook and is never filtered here.
 */
public final class RulesetCompiler {
    public static final String EGRESS_ISOLATED = "egress-isolated", INGRESS_ISOLATED = "ingress-isolated";
    public static final String EGRESS_CHAIN = "pod-egress", INGRESS_CHAIN = "pod-ingress";
    static final int PROTO_TCP = 6;

    /** The compiled table: the ruleset and its shape's fingerprint. */
    public record Compiled(FilterRuleset ruleset, String fingerprint) {
        /** The sets whose elements are pods (everything but ipBlock sets). */
        public List<FilterSet> podSets() {
            return ruleset.sets().stream().filter(s -> s.kind() != FilterSet.Kind.ADDRESS_RANGES).toList();
        }
    }

    private RulesetCompiler() {}

    public static Compiled compile(PolicyView view) {
        List<FilterSet> sets = new ArrayList<>();
        List<FilterChain> chains = new ArrayList<>();
        List<FilterRule> egressJumps = new ArrayList<>(), ingressJumps = new ArrayList<>();
        Set<SetKey> egressIsolated = new LinkedHashSet<>(), ingressIsolated = new LinkedHashSet<>();
        List<NetworkPolicy> policies = view.policies();
        for (int n = 0; n < policies.size(); n++) {
            NetworkPolicy p = policies.get(n);
            String base = "p" + n;
            Set<SetKey> selected = new LinkedHashSet<>();
            for (PolicyPod pod : view.pods()) {
                if (PolicyView.selects(p, pod)) {
                    selected.add(SetKey.address(pod.ip()));
                }
            }
            sets.add(FilterSet.addresses(base + "-pods", selected));
            if (p.ingress()) {
                ingressIsolated.addAll(selected);
                chains.add(FilterChain.regular(base + "-ingress", rules(view, p, p.ingressRules(), base + "-in", false, sets)));
                ingressJumps.add(new FilterRule(List.of(new Match.AddressIn(false, base + "-pods", false)),
                        Verdict.jump(base + "-ingress"), false, p.key()));
            }
            if (p.egress()) {
                egressIsolated.addAll(selected);
                chains.add(FilterChain.regular(base + "-egress", rules(view, p, p.egressRules(), base + "-out", true, sets)));
                egressJumps.add(new FilterRule(List.of(new Match.AddressIn(true, base + "-pods", false)),
                        Verdict.jump(base + "-egress"), false, p.key()));
            }
        }
        sets.add(0, FilterSet.addresses(EGRESS_ISOLATED, egressIsolated));
        sets.add(1, FilterSet.addresses(INGRESS_ISOLATED, ingressIsolated));
        chains.add(base(EGRESS_CHAIN, 0, egressJumps, true, EGRESS_ISOLATED));
        chains.add(base(INGRESS_CHAIN, 1, ingressJumps, false, INGRESS_ISOLATED));
        FilterRuleset rs = new FilterRuleset(sets, chains);
        return new Compiled(rs, fingerprint(rs));
    }

    private static FilterChain base(String name, int priority, List<FilterRule> jumps, boolean source, String isolated) {
        List<FilterRule> rules = new ArrayList<>();
        rules.add(FilterRule.of(Verdict.ACCEPT, new Match.EstablishedOrRelated()));
        rules.addAll(jumps);
        rules.add(new FilterRule(List.of(new Match.AddressIn(source, isolated, false)), Verdict.DROP, true,
                "podnet-policy " + (source ? "egress" : "ingress") + " isolated: no policy allows"));
        return FilterChain.forward(name, priority, rules);
    }

    /** A policy's chain for one direction: each rule as peer kinds x port entries, each an accept. */
    private static List<FilterRule> rules(PolicyView view, NetworkPolicy p, List<PolicyRule> rules, String prefix,
            boolean egress, List<FilterSet> sets) {
        List<FilterRule> out = new ArrayList<>();
        String dir = egress ? "egress" : "ingress";
        for (int i = 0; i < rules.size(); i++) {
            PolicyRule r = rules.get(i);
            String name = prefix + i;
            List<List<Match>> peerMatches = new ArrayList<>();
            if (r.peers().isEmpty()) {
                peerMatches.add(List.of());
            } else {
                List<PolicyPeer> podPeers = r.peers().stream().filter(PolicyPeer::selectsPods).toList();
                List<AddressRange> ranges = new ArrayList<>();
                for (PolicyPeer pe : r.peers()) {
                    if (pe.ipBlock() != null && pe.ipBlock().cidr().isIpv4()) {
                        ranges.addAll(pe.ipBlock().ranges()); // an IPv6 block can never match an IPv4 pod's traffic
                    }
                }
                if (!podPeers.isEmpty()) {
                    Set<SetKey> members = new LinkedHashSet<>();
                    for (PolicyPod pod : view.pods()) {
                        for (PolicyPeer pe : podPeers) {
                            if (view.peerMatches(p, pe, pod, pod.ip())) {
                                members.add(SetKey.address(pod.ip()));
                            }
                        }
                    }
                    sets.add(FilterSet.addresses(name + "-peers", members));
                    peerMatches.add(List.of(new Match.AddressIn(!egress, name + "-peers", false)));
                }
                if (!ranges.isEmpty()) {
                    sets.add(FilterSet.ranges(name + "-cidrs", ranges));
                    peerMatches.add(List.of(new Match.AddressIn(!egress, name + "-cidrs", false)));
                }
            }
            List<List<Match>> portMatches = new ArrayList<>();
            if (r.ports().isEmpty()) {
                portMatches.add(List.of());
            }
            for (int k = 0; k < r.ports().size(); k++) {
                PolicyPort q = r.ports().get(k);
                if (q.portName() != null) {
                    Set<SetKey> members = new LinkedHashSet<>();
                    for (PolicyPod pod : view.pods()) {
                        int number = pod.port(q.portName(), q.protocol());
                        if (number > 0) {
                            members.add(SetKey.service(pod.ip(), q.protocolNumber(), number));
                        }
                    }
                    sets.add(FilterSet.services(name + "-port" + k, members));
                    portMatches.add(List.of(new Match.DestServiceIn(name + "-port" + k)));
                } else if (q.port() == null) {
                    portMatches.add(List.of(new Match.Protocol(q.protocolNumber())));
                } else {
                    portMatches.add(List.of(new Match.Protocol(q.protocolNumber()), new Match.DestPort(q.port(), q.lastPort())));
                }
            }
            for (List<Match> peer : peerMatches) {
                for (List<Match> port : portMatches) {
                    List<Match> all = new ArrayList<>(peer);
                    all.addAll(port);
                    out.add(new FilterRule(all, Verdict.ACCEPT, false, p.key() + " " + dir + "[" + i + "]"));
                }
            }
        }
        return out;
    }

    /** A hash of the ruleset without its pod elements: equal fingerprints, same chains, rules and ipBlock sets. */
    static String fingerprint(FilterRuleset rs) {
        StringBuilder sb = new StringBuilder();
        for (FilterSet s : rs.sets()) {
            sb.append("set ").append(s.name()).append(' ').append(s.kind()).append(' ').append(s.ranges()).append('\n');
        }
        for (FilterChain c : rs.chains()) {
            sb.append("chain ").append(c.name()).append(' ').append(c.forwardPriority()).append('\n');
            for (FilterRule r : c.rules()) {
                sb.append("  ").append(r).append('\n');
            }
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return "podnet-policy " + HexFormat.of().formatHex(h, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
