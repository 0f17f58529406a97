package podnet.node.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import podnet.linux.nftables.AddressRange;
import podnet.linux.nftables.FilterChain;
import podnet.linux.nftables.FilterRule;
import podnet.linux.nftables.FilterRule.Match;
import podnet.linux.nftables.FilterRule.Verdict;
import podnet.linux.nftables.FilterRuleset;
import podnet.linux.nftables.FilterSet;
import podnet.linux.nftables.FilterTable.ElementChange;
import podnet.linux.nftables.SetKey;
import podnet.node.policy.UnitTemplate.SetTemplate;

/**
 * Turns policies into the node's filter table, one {@link Unit} per policy. A unit's chains and
 * rules depend on its policy alone; pods only ever appear as set elements, so a pod coming,
 * going or being relabelled is an element change. Every object of a unit is named by the unit's
 * id, a hash of the policy's key and of the unit's shape (everything but the elements): a
 * changed policy gets new names, so a policy change replaces that policy's unit and nothing
 * else, and an element change aimed at a unit that is not in the kernel fails instead of
 * landing in a set that means something else.
 *
 * <pre>
 * set egress-isolated, ingress-isolated      pods selected by some policy of that type
 * set ID-pods                                pods the policy selects
 * set ID-inI-peers / ID-outI-peers           pods a peer of rule I matches
 * set ID-inI-cidrs / ID-outI-cidrs           its ipBlocks, excepts cut out (interval set)
 * set ID-inI-portK / ID-outI-portK           address . proto . port of named port K's pods
 *                                            (ingress: of the selected pods only)
 * chain ID-ingress                           one accept rule per peer kind x port entry
 * chain ID-egress                            the same, each jumping to pod-ingress instead
 * chain pod-filter (forward, priority 0)     ct established,related accept;
 *                                            ct state new, TCP without SYN, from @ingress-isolated
 *                                            or to @egress-isolated: drop (a cut connection's
 *                                            packets, picked up mid-stream);
 *                                            ip saddr @ID-pods jump ID-egress ...;
 *                                            ip saddr @egress-isolated jump pod-egress-denied;
 *                                            jump pod-ingress
 * chain pod-ingress                          ip daddr @ID-pods jump ID-ingress ...;
 *                                            ip daddr @ingress-isolated jump pod-ingress-denied;
 *                                            accept
 * chain pod-egress-denied / pod-ingress-denied  the drop, counted per isolating policy ({@link DeniedChains})
 * </pre>
 * One base chain, so an established packet (nearly all of them) costs one hook call and one
 * conntrack-state rule. Egress is checked first: a packet its egress allows (or whose source is
 * not egress-isolated) goes on to the ingress check, which always ends in a verdict (accept, or
 * the denied chain's drop), so nothing returns into the egress part. Traffic from the node to a
 * pod takes the output hook and is never filtered here.
 *
 * <p>Across nodes, a node isolates only its own pods: the isolation sets, {@code ID-pods} and the
 * ingress named-port sets hold pods of this node, the peer sets and egress named-port sets every
 * pod of the cluster. So egress is enforced on the source's node as the packet leaves for the
 * tunnel, ingress on the destination's node as it arrives, each once.
 */
public final class RulesetCompiler {
    public static final String EGRESS_ISOLATED = "egress-isolated", INGRESS_ISOLATED = "ingress-isolated";
    /** The base chain (forward hook) and the regular chain of the ingress check. */
    public static final String FILTER_CHAIN = "pod-filter", INGRESS_CHAIN = "pod-ingress";
    /** The table's comment: the layout above (base and denied chains, isolation sets, unit naming). */
    public static final String LAYOUT = "podnet-policy layout 4";
    /** The chains every table of this layout has, beside the units'. */
    public static final List<String> FIXED_CHAINS = List.of(DeniedChains.EGRESS, DeniedChains.INGRESS, INGRESS_CHAIN, FILTER_CHAIN);
    private static final String PLACEHOLDER = "ID";
    static final String MIDSTREAM_COMMENT = "podnet-policy: TCP without SYN and without a conntrack entry, from or to an isolated pod";
    /**
     * Templates by policy object: the store hands out the same objects until a policy changes,
     * so a pod's ADD fills templates instead of hashing every policy. Bounded; a miss only costs
     * making the template again.
     */
    private static final Map<NetworkPolicy, UnitTemplate> TEMPLATES = Collections.synchronizedMap(new IdentityHashMap<>());
    private static final int TEMPLATES_KEPT = 4096;

    /** One policy's part of the table: its sets and chains, and the base chains' jumps into them. */
    public record Unit(String id, NetworkPolicy policy, List<FilterSet> sets, List<FilterChain> chains,
            FilterRule egressJump, FilterRule ingressJump) {
        /** The sets whose elements are pods (everything but ipBlock sets). */
        public List<FilterSet> podSets() {
            return sets.stream().filter(s -> s.kind() != FilterSet.Kind.ADDRESS_RANGES).toList();
        }
    }

    /**
     * The compiled table: a template per policy (in policy order), filled with the view's pods
     * on demand (a policy change fills only the units it adds), and the isolation sets.
     */
    public record Compiled(PolicyView view, List<UnitTemplate> templates, FilterSet egressIsolated, FilterSet ingressIsolated) {
        public List<Unit> units() {
            return templates.stream().map(t -> t.fill(view)).toList();
        }

        /**
         * The chains rewritten when units change: the two denied chains ({@link DeniedChains}),
         * the ingress check (a jump per Ingress unit, the jump to its denied chain, accept), then
         * the base chain (established first, a jump per Egress unit, the jump to its denied
         * chain, the jump to the ingress check).
         */
        public List<FilterChain> baseChains() {
            List<FilterRule> eg = new ArrayList<>(), in = new ArrayList<>();
            for (UnitTemplate t : templates) {
                if (t.egressJump() != null) {
                    eg.add(t.egressJump());
                }
                if (t.ingressJump() != null) {
                    in.add(t.ingressJump());
                }
            }
            return List.of(DeniedChains.of(true, templates), DeniedChains.of(false, templates),
                    ingressCheck(in), filter(eg));
        }

        /** The whole table, for writing it from scratch. */
        public FilterRuleset ruleset() {
            List<FilterSet> sets = new ArrayList<>(List.of(egressIsolated, ingressIsolated));
            // Each chain after the chains it jumps to: denied chains, Ingress units' chains, the
            // ingress check, Egress units' chains (they jump to the check), the base chain.
            List<FilterChain> base = baseChains(), ingress = new ArrayList<>(), egress = new ArrayList<>();
            for (Unit u : units()) {
                sets.addAll(u.sets());
                u.chains().forEach(c -> (c.name().endsWith("-egress") ? egress : ingress).add(c));
            }
            List<FilterChain> chains = new ArrayList<>(base.subList(0, 2));
            chains.addAll(ingress);
            chains.add(base.get(2));
            chains.addAll(egress);
            chains.add(base.get(3));
            return new FilterRuleset(sets, chains);
        }

        /** Every set whose elements are pods: the isolation sets and each unit's pod sets. */
        public List<FilterSet> podSets() {
            List<FilterSet> out = new ArrayList<>(List.of(egressIsolated, ingressIsolated));
            units().forEach(u -> out.addAll(u.podSets()));
            return out;
        }
    }

    private RulesetCompiler() {}

    public static Compiled compile(PolicyView view) {
        List<UnitTemplate> templates = new ArrayList<>();
        Set<SetKey> egressIsolated = new LinkedHashSet<>(), ingressIsolated = new LinkedHashSet<>();
        Set<String> ids = new LinkedHashSet<>();
        for (NetworkPolicy p : view.policies()) {
            UnitTemplate t = template(p);
            if (!ids.add(t.id())) {
                throw new IllegalStateException("two policies hash to unit " + t.id() + ": " + p.key());
            }
            templates.add(t);
            for (PolicyPod pod : view.pods()) {
                if ((p.ingress() || p.egress()) && PolicyView.isolatesHere(p, pod)) {
                    if (p.ingress()) {
                        ingressIsolated.add(SetKey.address(pod.ip()));
                    }
                    if (p.egress()) {
                        egressIsolated.add(SetKey.address(pod.ip()));
                    }
                }
            }
        }
        return new Compiled(view, templates, FilterSet.addresses(EGRESS_ISOLATED, egressIsolated),
                FilterSet.addresses(INGRESS_ISOLATED, ingressIsolated));
    }

    /**
     * The elements {@code pod} has in the view's sets (added or removed as {@code add} says):
     * what {@link #compile} puts there for it, from the same templates, without the rest.
     */
    public static List<ElementChange> memberships(PolicyView view, PolicyPod pod, boolean add) {
        List<ElementChange> out = new ArrayList<>();
        SetKey self = SetKey.address(pod.ip());
        boolean egressIsolated = false, ingressIsolated = false;
        for (NetworkPolicy p : view.policies()) {
            UnitTemplate t = template(p);
            for (SetTemplate s : t.sets()) {
                SetKey k = s.kind() == FilterSet.Kind.ADDRESS_RANGES ? null : s.key().apply(view, pod);
                if (k != null) {
                    out.add(new ElementChange(s.name(), k, add));
                }
            }
            if (PolicyView.isolatesHere(p, pod)) {
                egressIsolated |= p.egress();
                ingressIsolated |= p.ingress();
            }
        }
        if (egressIsolated) {
            out.add(new ElementChange(EGRESS_ISOLATED, self, add));
        }
        if (ingressIsolated) {
            out.add(new ElementChange(INGRESS_ISOLATED, self, add));
        }
        return out;
    }

    static UnitTemplate template(NetworkPolicy p) {
        UnitTemplate t = TEMPLATES.get(p);
        if (t == null) {
            t = template(p, unitId(template(p, PLACEHOLDER)));
            if (TEMPLATES.size() >= TEMPLATES_KEPT) {
                TEMPLATES.clear();
            }
            TEMPLATES.put(p, t);
        }
        return t;
    }

    /**
     * "p" and 10 hex digits of a hash of the policy's key, its selectors and rules (which decide
     * the elements, so a unit kept by id has the right ones) and the template's shape.
     */
    private static String unitId(UnitTemplate shape) {
        NetworkPolicy p = shape.policy();
        StringBuilder sb = new StringBuilder(p.key()).append('\n').append(p.podSelector()).append(' ').append(p.typesText())
                .append("\ningress ").append(p.ingressRules()).append("\negress ").append(p.egressRules()).append('\n');
        for (SetTemplate s : shape.sets()) {
            sb.append("set ").append(s.name()).append(' ').append(s.kind()).append(' ').append(s.ranges()).append('\n');
        }
        for (FilterChain c : shape.chains()) {
            sb.append("chain ").append(c.name()).append('\n');
            for (FilterRule r : c.rules()) {
                sb.append("  ").append(r).append('\n');
            }
        }
        sb.append(shape.egressJump()).append('\n').append(shape.ingressJump());
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return "p" + HexFormat.of().formatHex(h, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The unit id an object's name starts with (the name itself for one of no unit). */
    static String unitOf(String name) {
        int dash = name.indexOf('-');
        return dash < 0 ? name : name.substring(0, dash);
    }

    private static UnitTemplate template(NetworkPolicy p, String id) {
        List<SetTemplate> sets = new ArrayList<>();
        List<FilterChain> chains = new ArrayList<>();
        sets.add(new SetTemplate(id + "-pods", FilterSet.Kind.ADDRESSES, List.of(),
                (v, pod) -> PolicyView.isolatesHere(p, pod) ? SetKey.address(pod.ip()) : null));
        FilterRule egressJump = null, ingressJump = null;
        if (p.ingress()) {
            chains.add(FilterChain.regular(id + "-ingress", rules(p, p.ingressRules(), id + "-in", false, sets)));
            ingressJump = new FilterRule(List.of(new Match.AddressIn(false, id + "-pods", false)),
                    Verdict.jump(id + "-ingress"), false, p.key());
        }
        if (p.egress()) {
            chains.add(FilterChain.regular(id + "-egress", rules(p, p.egressRules(), id + "-out", true, sets)));
            egressJump = new FilterRule(List.of(new Match.AddressIn(true, id + "-pods", false)),
                    Verdict.jump(id + "-egress"), false, p.key());
        }
        return new UnitTemplate(id, p, sets, chains, egressJump, ingressJump);
    }

    private static FilterChain filter(List<FilterRule> egressJumps) {
        List<FilterRule> rules = new ArrayList<>();
        rules.add(FilterRule.of(Verdict.ACCEPT, new Match.EstablishedOrRelated()));
        // A TCP packet conntrack picks up mid-stream (its entry was cut by a policy change, or
        // lost) may be the reply side of a connection: let it make an entry and the other side's
        // packets would pass as its "replies". So none that an isolated side could be the
        // initiator of the forbidden direction of passes: from an ingress-isolated pod, or to an
        // egress-isolated one. New connections start with SYN and are not affected.
        rules.add(new FilterRule(List.of(new Match.TcpMidstreamPickup(), new Match.AddressIn(true, INGRESS_ISOLATED, false)),
                Verdict.DROP, true, MIDSTREAM_COMMENT));
        rules.add(new FilterRule(List.of(new Match.TcpMidstreamPickup(), new Match.AddressIn(false, EGRESS_ISOLATED, false)),
                Verdict.DROP, true, MIDSTREAM_COMMENT));
        rules.addAll(egressJumps);
        rules.add(new FilterRule(List.of(new Match.AddressIn(true, EGRESS_ISOLATED, false)), Verdict.jump(DeniedChains.EGRESS), false, null));
        rules.add(FilterRule.of(Verdict.jump(INGRESS_CHAIN)));
        return FilterChain.forward(FILTER_CHAIN, 0, rules);
    }

    /** Ends in a verdict on every path, so an egress chain's jump here never comes back. */
    private static FilterChain ingressCheck(List<FilterRule> ingressJumps) {
        List<FilterRule> rules = new ArrayList<>(ingressJumps);
        rules.add(new FilterRule(List.of(new Match.AddressIn(false, INGRESS_ISOLATED, false)), Verdict.jump(DeniedChains.INGRESS), false, null));
        rules.add(FilterRule.of(Verdict.ACCEPT));
        return FilterChain.regular(INGRESS_CHAIN, rules);
    }

    /** A policy's chain for one direction: each rule as peer kinds x port entries, each an accept
     * (ingress) or a jump to the ingress check (egress). */
    private static List<FilterRule> rules(NetworkPolicy p, List<PolicyRule> rules, String prefix, boolean egress,
            List<SetTemplate> sets) {
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
                    sets.add(new SetTemplate(name + "-peers", FilterSet.Kind.ADDRESSES, List.of(), (v, pod) -> {
                        for (PolicyPeer pe : podPeers) {
                            if (v.peerMatches(p, pe, pod, pod.ip())) {
                                return SetKey.address(pod.ip());
                            }
                        }
                        return null;
                    }));
                    peerMatches.add(List.of(new Match.AddressIn(!egress, name + "-peers", false)));
                }
                if (!ranges.isEmpty()) {
                    sets.add(new SetTemplate(name + "-cidrs", FilterSet.Kind.ADDRESS_RANGES, FilterSet.ranges(name + "-cidrs", ranges).ranges(), null));
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
                    // Ingress: the destination is a selected pod (the chain is reached for no other).
                    sets.add(new SetTemplate(name + "-port" + k, FilterSet.Kind.SERVICES, List.of(), (v, pod) -> {
                        int number = pod.port(q.portName(), q.protocol());
                        return number > 0 && (egress || PolicyView.isolatesHere(p, pod)) ? SetKey.service(pod.ip(), q.protocolNumber(), number) : null;
                    }));
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
                    // Egress allowed: the ingress check decides (it never returns here).
                    out.add(new FilterRule(all, egress ? Verdict.jump(INGRESS_CHAIN) : Verdict.ACCEPT, false, p.key() + " " + dir + "[" + i + "]"));
                }
            }
        }
        return out;
    }
}
