package podnet.node.topo;

/** The topology in Graphviz dot: pods and bridges as boxes, veth pairs as edges. */
public final class DotRenderer {
    private DotRenderer() {}

    public static String render(Topology t) {
        StringBuilder sb = new StringBuilder("graph podnet {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\"];\n");
        sb.append("  subgraph cluster_node {\n    label=").append(q("node " + t.node())).append(";\n    style=dashed;\n");
        for (Topology.Bridge b : t.bridges()) {
            sb.append("    ").append(q("br:" + b.name())).append(" [label=")
                    .append(q("bridge " + b.name() + "\\n" + TextRenderer.addresses(b.addresses())))
                    .append(", style=filled, fillcolor=\"#dbeafe\"];\n");
        }
        for (Topology.Uplink u : t.uplinks()) {
            sb.append("    ").append(q("up:" + u.name())).append(" [label=")
                    .append(q(u.name() + "\\n" + TextRenderer.addresses(u.addresses()))).append("];\n");
        }
        sb.append("  }\n");
        for (Topology.Bridge b : t.bridges()) {
            for (Topology.Port p : b.ports()) {
                if (p.pod() == null) {
                    continue;
                }
                Topology.Pod pod = p.pod();
                String id = "pod:" + pod.label();
                sb.append("  ").append(q(id)).append(" [label=").append(q("pod " + pod.label() + "\\n"
                        + pod.ifname() + " " + pod.firstAddress() + "\\n" + (pod.mac() == null ? "" : pod.mac())))
                        .append(", style=filled, fillcolor=\"#dcfce7\"];\n");
                sb.append("  ").append(q(id)).append(" -- ").append(q("br:" + b.name()))
                        .append(" [label=").append(q(p.name())).append("];\n");
            }
        }
        return sb.append("}\n").toString();
    }

    private static String q(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\\\\n", "\\n") + '"';
    }
}
