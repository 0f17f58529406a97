package podnet.node.topo;

import java.util.stream.Collectors;
import podnet.linux.inet.Cidr;

/** The topology as a tree of text, for terminals. */
public final class TextRenderer {
    private TextRenderer() {}

    public static String render(Topology t) {
        StringBuilder sb = new StringBuilder();
        sb.append("node ").append(t.node()).append('\n');
        if (t.bridges().isEmpty()) {
            sb.append("  (no bridge)\n");
        }
        for (Topology.Bridge b : t.bridges()) {
            sb.append("└─ bridge ").append(b.name()).append(' ').append(addresses(b.addresses()))
                    .append(b.up() ? " [up]" : " [down]").append(b.mac() == null ? "" : " " + b.mac()).append('\n');
            int width = b.ports().stream().mapToInt(p -> p.name().length()).max().orElse(0);
            for (int i = 0; i < b.ports().size(); i++) {
                Topology.Port p = b.ports().get(i);
                boolean last = i == b.ports().size() - 1;
                sb.append(last ? "   └─ " : "   ├─ ").append(pad(p.name(), width))
                        .append(" [").append(p.up() ? "up" : "down")
                        .append(p.stpState().isEmpty() ? "" : ", " + p.stpState())
                        .append(p.hairpin() ? ", hairpin" : "").append("]");
                if (p.pod() != null) {
                    Topology.Pod pod = p.pod();
                    sb.append(" ══ pod ").append(pod.label()).append(": ").append(pod.ifname()).append(' ')
                            .append(pod.firstAddress()).append(' ').append(pod.mac() == null ? "" : pod.mac())
                            .append(pod.up() ? "" : " [down]");
                }
                sb.append('\n');
            }
        }
        for (Topology.Uplink u : t.uplinks()) {
            sb.append("uplink ").append(u.name()).append(" (").append(u.kind()).append(") ")
                    .append(addresses(u.addresses())).append(u.up() ? " [up]" : " [down]").append('\n');
        }
        return sb.toString();
    }

    static String addresses(java.util.List<Cidr> a) {
        return a.isEmpty() ? "no address" : a.stream().map(Cidr::toString).collect(Collectors.joining(" "));
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(Math.max(0, w - s.length()));
    }
}
