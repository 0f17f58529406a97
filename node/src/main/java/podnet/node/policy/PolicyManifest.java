package podnet.node.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import podnet.linux.inet.Cidr;

/**
 * Reads NetworkPolicy manifests (YAML or JSON; several documents, or a {@code List} /
 * {@code NetworkPolicyList} with {@code items}) and validates them the way the API server does,
 * naming each problem by its field path. All or nothing: one invalid object fails the whole file.
 */
public final class PolicyManifest {
    private PolicyManifest() {}

    static final String API_VERSION = "networking.k8s.io/v1";
    private static final String DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final String DNS_SUBDOMAIN = DNS_LABEL + "(\\." + DNS_LABEL + ")*";
    private static final String LABEL_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private static final String PORT_NAME = "[a-z0-9]([a-z0-9-]*[a-z0-9])?";

    /**
     * @param namespace the namespace of objects that name none; when {@code explicit} (a
     *     {@code --namespace} option), an object naming another one is refused, as kubectl does
     */
    public static List<NetworkPolicy> parse(String text, String namespace, boolean explicit) {
        List<Object> docs = new ArrayList<>();
        try {
            for (Object d : new Load(LoadSettings.builder().setLabel("manifest").build()).loadAllFromString(text)) {
                if (d != null) {
                    docs.add(d);
                }
            }
        } catch (YamlEngineException e) {
            throw new PolicyException("the manifest is not valid YAML: " + e.getMessage().strip(),
                    "check the indentation and quoting near the line it names");
        }
        if (docs.isEmpty()) {
            throw new PolicyException("the manifest holds no objects", "give NetworkPolicy documents (kind: NetworkPolicy)");
        }
        List<NetworkPolicy> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            String where = docs.size() > 1 ? "document " + (i + 1) : null;
            collect(docs.get(i), where, namespace, explicit, out, problems);
        }
        if (!problems.isEmpty()) {
            throw new PolicyException(String.join("\n", problems), "fix the fields named; nothing was applied");
        }
        return out;
    }

    private static void collect(Object doc, String where, String namespace, boolean explicit, List<NetworkPolicy> out,
            List<String> problems) {
        FieldErrors top = new FieldErrors();
        Map<String, Object> m = top.map("", doc);
        if (m == null) {
            problems.add(prefix(where) + "the document is not a mapping (an object with apiVersion and kind)");
            return;
        }
        Object kind = m.get("kind");
        if ("List".equals(kind) || "NetworkPolicyList".equals(kind)) {
            List<?> items = m.get("items") == null ? List.of() : top.list("items", m.get("items"));
            if (items == null) {
                problems.add(prefix(where) + top.all().getFirst());
                return;
            }
            for (int j = 0; j < items.size(); j++) {
                collect(items.get(j), (where == null ? "" : where + ", ") + "items[" + j + "]", namespace, explicit, out, problems);
            }
            return;
        }
        FieldErrors errors = new FieldErrors();
        NetworkPolicy p = policy(m, namespace, explicit, errors);
        if (!errors.isEmpty()) {
            String name = m.get("metadata") instanceof Map<?, ?> md && md.get("name") instanceof String n ? n : "";
            problems.add(prefix(where) + "The NetworkPolicy \"" + name + "\" is invalid:\n  * " + String.join("\n  * ", errors.all()));
        } else {
            out.add(p);
        }
    }

    private static String prefix(String where) {
        return where == null ? "" : where + ": ";
    }

    private static NetworkPolicy policy(Map<String, Object> m, String defaultNs, boolean explicit, FieldErrors e) {
        e.unknownFields("", m, Set.of("apiVersion", "kind", "metadata", "spec", "status"));
        if (!"NetworkPolicy".equals(m.get("kind"))) {
            e.unsupported("kind", m.get("kind"), "supported values: \"NetworkPolicy\", \"List\"");
        }
        if (!API_VERSION.equals(m.get("apiVersion"))) {
            e.unsupported("apiVersion", m.get("apiVersion"), "supported values: \"" + API_VERSION + "\"");
        }
        String name = null, ns = defaultNs;
        Map<String, Object> md = m.get("metadata") == null ? null : e.map("metadata", m.get("metadata"));
        if (md == null) {
            e.required("metadata.name", "name or generateName is required");
        } else {
            e.unknownFields("metadata", md, Set.of("name", "namespace", "labels", "annotations", "uid",
                    "resourceVersion", "generation", "creationTimestamp"));
            name = md.get("name") == null ? null : e.string("metadata.name", md.get("name"));
            if (md.get("name") == null) {
                e.required("metadata.name", "name or generateName is required");
            } else if (name != null && (!name.matches(DNS_SUBDOMAIN) || name.length() > 253)) {
                e.invalid("metadata.name", name, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric"
                        + " characters, '-' or '.', and must start and end with an alphanumeric character");
            }
            if (md.get("namespace") != null) {
                String given = e.string("metadata.namespace", md.get("namespace"));
                if (given != null && !given.matches(DNS_LABEL)) {
                    e.invalid("metadata.namespace", given, "a lowercase RFC 1123 label must consist of lower case"
                            + " alphanumeric characters or '-', and must start and end with an alphanumeric character");
                } else if (given != null && explicit && !given.equals(defaultNs)) {
                    e.invalid("metadata.namespace", given, "the namespace from the provided object does not match the"
                            + " namespace \"" + defaultNs + "\" given with --namespace");
                }
                ns = given;
            }
            if (md.get("labels") != null) {
                labels("metadata.labels", md.get("labels"), e);
            }
        }
        Map<String, Object> spec = m.get("spec") == null ? null : e.map("spec", m.get("spec"));
        if (spec == null) {
            e.required("spec.podSelector", null);
            return null;
        }
        e.unknownFields("spec", spec, Set.of("podSelector", "policyTypes", "ingress", "egress"));
        LabelSelector podSelector = null;
        if (!spec.containsKey("podSelector")) {
            e.required("spec.podSelector", "use {} to select every pod of the namespace");
        } else {
            podSelector = selector("spec.podSelector", spec.get("podSelector"), e);
        }
        List<PolicyRule> ingress = rules("spec.ingress", spec.get("ingress"), "from", e);
        List<PolicyRule> egress = rules("spec.egress", spec.get("egress"), "to", e);
        boolean in, out;
        if (spec.get("policyTypes") == null || spec.get("policyTypes") instanceof List<?> l && l.isEmpty()) {
            // The API server's defaulting: Ingress always, Egress when there are egress rules.
            in = true;
            out = !egress.isEmpty();
        } else {
            in = false;
            out = false;
            List<?> types = e.list("spec.policyTypes", spec.get("policyTypes"));
            if (types != null) {
                if (types.size() > 2) {
                    e.invalid("spec.policyTypes", types, "may not specify more than two policyTypes");
                }
                for (int i = 0; i < types.size(); i++) {
                    Object t = types.get(i);
                    if ("Ingress".equals(t)) {
                        in = true;
                    } else if ("Egress".equals(t)) {
                        out = true;
                    } else {
                        e.unsupported("spec.policyTypes[" + i + "]", t, "supported values: \"Egress\", \"Ingress\"");
                    }
                }
            }
        }
        if (!e.isEmpty()) {
            return null;
        }
        Map<String, Object> manifest = new LinkedHashMap<>(m);
        Map<String, Object> meta = new LinkedHashMap<>(md);
        meta.put("namespace", ns);
        manifest.put("metadata", meta);
        return new NetworkPolicy(ns, name, podSelector, in, out, ingress, egress, manifest);
    }

    private static List<PolicyRule> rules(String path, Object o, String peersField, FieldErrors e) {
        if (o == null) {
            return List.of();
        }
        List<?> list = e.list(path, o);
        if (list == null) {
            return List.of();
        }
        List<PolicyRule> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String rp = path + "[" + i + "]";
            Map<String, Object> r = list.get(i) == null ? Map.of() : e.map(rp, list.get(i));
            if (r == null) {
                continue;
            }
            e.unknownFields(rp, r, Set.of(peersField, "ports"));
            List<PolicyPeer> peers = new ArrayList<>();
            List<?> ps = r.get(peersField) == null ? List.of() : e.list(rp + "." + peersField, r.get(peersField));
            for (int j = 0; ps != null && j < ps.size(); j++) {
                PolicyPeer peer = peer(rp + "." + peersField + "[" + j + "]", ps.get(j), e);
                if (peer != null) {
                    peers.add(peer);
                }
            }
            List<PolicyPort> ports = new ArrayList<>();
            List<?> pl = r.get("ports") == null ? List.of() : e.list(rp + ".ports", r.get("ports"));
            for (int j = 0; pl != null && j < pl.size(); j++) {
                PolicyPort port = port(rp + ".ports[" + j + "]", pl.get(j), e);
                if (port != null) {
                    ports.add(port);
                }
            }
            out.add(new PolicyRule(peers, ports));
        }
        return out;
    }

    private static PolicyPeer peer(String path, Object o, FieldErrors e) {
        Map<String, Object> p = o == null ? Map.of() : e.map(path, o);
        if (p == null) {
            return null;
        }
        e.unknownFields(path, p, Set.of("podSelector", "namespaceSelector", "ipBlock"));
        LabelSelector pods = p.containsKey("podSelector") ? selector(path + ".podSelector", p.get("podSelector"), e) : null;
        LabelSelector nss = p.containsKey("namespaceSelector")
                ? selector(path + ".namespaceSelector", p.get("namespaceSelector"), e) : null;
        IpBlock block = null;
        if (p.get("ipBlock") != null) {
            block = ipBlock(path + ".ipBlock", p.get("ipBlock"), e);
            if (p.containsKey("podSelector") || p.containsKey("namespaceSelector")) {
                e.forbidden(path, "may not specify both ipBlock and another peer");
                return null;
            }
        }
        if (!p.containsKey("podSelector") && !p.containsKey("namespaceSelector") && p.get("ipBlock") == null) {
            e.required(path, "must specify a peer");
            return null;
        }
        return new PolicyPeer(pods, nss, block);
    }

    private static IpBlock ipBlock(String path, Object o, FieldErrors e) {
        Map<String, Object> b = e.map(path, o);
        if (b == null) {
            return null;
        }
        e.unknownFields(path, b, Set.of("cidr", "except"));
        if (b.get("cidr") == null) {
            e.required(path + ".cidr", null);
            return null;
        }
        Cidr cidr = cidr(path + ".cidr", b.get("cidr"), e);
        List<Cidr> except = new ArrayList<>();
        List<?> ex = b.get("except") == null ? List.of() : e.list(path + ".except", b.get("except"));
        for (int i = 0; ex != null && i < ex.size(); i++) {
            String ep = path + ".except[" + i + "]";
            Cidr c = cidr(ep, ex.get(i), e);
            if (c != null && cidr != null) {
                if (c.isIpv4() != cidr.isIpv4() || !cidr.contains(c.network().address())
                        || c.prefixLength() <= cidr.prefixLength()) {
                    e.invalid(ep, ex.get(i), "must be a strict subset of `cidr`");
                } else {
                    except.add(c);
                }
            }
        }
        return cidr == null ? null : new IpBlock(cidr, except);
    }

    private static Cidr cidr(String path, Object o, FieldErrors e) {
        String s = e.string(path, o);
        if (s == null) {
            return null;
        }
        try {
            if (!s.contains("/")) {
                throw new IllegalArgumentException("no prefix length");
            }
            return Cidr.parse(s);
        } catch (RuntimeException ex) {
            e.invalid(path, s, "must be a valid CIDR (e.g. 10.0.0.0/16)");
            return null;
        }
    }

    private static PolicyPort port(String path, Object o, FieldErrors e) {
        Map<String, Object> p = o == null ? Map.of() : e.map(path, o);
        if (p == null) {
            return null;
        }
        e.unknownFields(path, p, Set.of("protocol", "port", "endPort"));
        String protocol = "TCP";
        if (p.get("protocol") != null) {
            Object v = p.get("protocol");
            if ("SCTP".equals(v)) {
                e.unsupported(path + ".protocol", v, "SCTP is not supported by this node's kernel (no SCTP"
                        + " connection tracking); supported values: \"TCP\", \"UDP\"");
                return null;
            }
            if (!"TCP".equals(v) && !"UDP".equals(v)) {
                e.unsupported(path + ".protocol", v, "supported values: \"TCP\", \"UDP\"");
                return null;
            }
            protocol = (String) v;
        }
        Integer number = null;
        String name = null;
        Object port = p.get("port");
        if (port instanceof Integer n) {
            if (n < 1 || n > 65535) {
                e.invalid(path + ".port", n, "must be between 1 and 65535, inclusive");
            }
            number = n;
        } else if (port instanceof String s) {
            if (s.length() > 15 || !s.matches(PORT_NAME) || s.contains("--") || !s.matches(".*[a-z].*")) {
                e.invalid(path + ".port", s, "must be a port number or an IANA_SVC_NAME (at most 15 characters,"
                        + " lower-case letters, digits and '-', at least one letter)");
            }
            name = s;
        } else if (port != null) {
            e.invalid(path + ".port", port, "must be a number or a port name");
        }
        Integer end = null;
        if (p.get("endPort") != null) {
            if (!(p.get("endPort") instanceof Integer n)) {
                e.invalid(path + ".endPort", p.get("endPort"), "must be a number");
            } else if (port == null) {
                e.required(path + ".port", "must be specified when endPort is specified");
            } else if (name != null) {
                e.invalid(path + ".endPort", n, "may not be specified when `port` is non-numeric");
            } else if (number != null && n < number) {
                e.invalid(path + ".endPort", n, "must be greater than or equal to `port`");
            } else if (n > 65535) {
                e.invalid(path + ".endPort", n, "must be between 1 and 65535, inclusive");
            } else {
                end = n;
            }
        }
        return new PolicyPort(protocol, number, name, end);
    }

    static LabelSelector selector(String path, Object o, FieldErrors e) {
        if (o == null) {
            return LabelSelector.EVERYTHING;
        }
        Map<String, Object> s = e.map(path, o);
        if (s == null) {
            return null;
        }
        e.unknownFields(path, s, Set.of("matchLabels", "matchExpressions"));
        Map<String, String> labels = s.get("matchLabels") == null ? Map.of() : labels(path + ".matchLabels", s.get("matchLabels"), e);
        List<Requirement> reqs = new ArrayList<>();
        List<?> exprs = s.get("matchExpressions") == null ? List.of() : e.list(path + ".matchExpressions", s.get("matchExpressions"));
        for (int i = 0; exprs != null && i < exprs.size(); i++) {
            String rp = path + ".matchExpressions[" + i + "]";
            Map<String, Object> r = e.map(rp, exprs.get(i));
            if (r == null) {
                continue;
            }
            e.unknownFields(rp, r, Set.of("key", "operator", "values"));
            String key = r.get("key") == null ? null : e.string(rp + ".key", r.get("key"));
            if (r.get("key") == null) {
                e.required(rp + ".key", null);
            } else if (key != null) {
                labelKey(rp + ".key", key, e);
            }
            Requirement.Operator op = null;
            try {
                op = Requirement.Operator.valueOf(String.valueOf(r.get("operator")));
            } catch (IllegalArgumentException ex) {
                if (r.get("operator") == null) {
                    e.required(rp + ".operator", null);
                } else {
                    e.unsupported(rp + ".operator", r.get("operator"),
                            "supported values: \"DoesNotExist\", \"Exists\", \"In\", \"NotIn\"");
                }
            }
            List<String> values = new ArrayList<>();
            List<?> vs = r.get("values") == null ? List.of() : e.list(rp + ".values", r.get("values"));
            for (int j = 0; vs != null && j < vs.size(); j++) {
                String v = e.string(rp + ".values[" + j + "]", vs.get(j));
                if (v != null) {
                    labelValue(rp + ".values[" + j + "]", v, e);
                    values.add(v);
                }
            }
            if (op == Requirement.Operator.In || op == Requirement.Operator.NotIn) {
                if (values.isEmpty()) {
                    e.required(rp + ".values", "must be specified when `operator` is 'In' or 'NotIn'");
                }
            } else if (op != null && !values.isEmpty()) {
                e.forbidden(rp + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
            }
            if (key != null && op != null) {
                reqs.add(new Requirement(key, op, values));
            }
        }
        return new LabelSelector(labels, reqs);
    }

    /** A label map (also used for pods and namespaces); values must be strings, as in the API. */
    static Map<String, String> labels(String path, Object o, FieldErrors e) {
        Map<String, Object> m = e.map(path, o);
        Map<String, String> out = new LinkedHashMap<>();
        if (m == null) {
            return out;
        }
        for (var en : m.entrySet()) {
            labelKey(path, en.getKey(), e);
            if (!(en.getValue() instanceof String v)) {
                e.invalid(path + "." + en.getKey(), en.getValue(), "label values must be strings (quote it)");
                continue;
            }
            labelValue(path + "." + en.getKey(), v, e);
            out.put(en.getKey(), v);
        }
        return out;
    }

    static void labelKey(String path, String key, FieldErrors e) {
        int slash = key.indexOf('/');
        String prefix = slash < 0 ? null : key.substring(0, slash);
        String name = slash < 0 ? key : key.substring(slash + 1);
        boolean ok = name.length() <= 63 && name.matches(LABEL_NAME)
                && (prefix == null || (prefix.length() <= 253 && prefix.matches(DNS_SUBDOMAIN)));
        if (!ok) {
            e.invalid(path, key, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start"
                    + " and end with an alphanumeric character (at most 63), with an optional DNS subdomain prefix and '/'");
        }
    }

    static void labelValue(String path, String v, FieldErrors e) {
        if (!v.isEmpty() && (v.length() > 63 || !v.matches(LABEL_NAME))) {
            e.invalid(path, v, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_'"
                    + " or '.', and must start and end with an alphanumeric character (at most 63)");
        }
    }

    /** Checks {@code key=value} labels given on a command line; returns them, or throws naming the bad one. */
    public static Map<String, String> checkLabels(Map<String, String> labels, String what) {
        FieldErrors e = new FieldErrors();
        for (var en : labels.entrySet()) {
            labelKey(what, en.getKey(), e);
            labelValue(what + "." + en.getKey(), en.getValue(), e);
        }
        if (!e.isEmpty()) {
            throw new PolicyException(String.join("; ", e.all()), "labels are key=value, e.g. app=web or team.example.com/tier=db");
        }
        return labels;
    }
}
