package podnet.node.topo;

import static podnet.node.topo.SvgRenderer.esc;

/**
 * A cluster as text (each node's tree, then the tunnels), as SVG (a box per node with its
 * pods, lines for the tunnels between them) and as an HTML page holding both.
 */
public final class ClusterRenderer {
    private ClusterRenderer() {}

    public static String text(ClusterTopology c) {
        StringBuilder sb = new StringBuilder("cluster of " + c.nodes().size() + " node(s), backend " + c.backend() + "\n");
        for (ClusterTopology.NodeView n : c.nodes()) {
            sb.append("\nnode ").append(n.name()).append("  subnet ").append(n.subnet() == null ? "-" : n.subnet())
                    .append("  underlay ").append(n.underlay()).append(' ').append(n.underlayIp())
                    .append(n.vtep() == null ? "" : "  " + n.vtep() + " " + n.vtepMac()).append('\n');
            for (String line : TextRenderer.render(n.topology()).split("\n")) {
                if (!line.startsWith("node ")) {
                    sb.append("  ").append(line).append('\n');
                }
            }
        }
        sb.append("\ntunnels:\n");
        if (c.tunnels().isEmpty()) {
            sb.append("  (none: no node has a route into another node's subnet)\n");
        }
        for (ClusterTopology.Tunnel t : c.tunnels()) {
            sb.append("  ").append(t.from()).append(" -> ").append(t.to()).append("  ").append(t.subnet()).append(" via ")
                    .append(t.device()).append(t.vxlan() ? " (VXLAN, UDP 8472 to " + t.peerIp() + ")" : " (routed to " + t.peerIp() + ")")
                    .append('\n');
        }
        return sb.toString();
    }

    static final int W = 300, GAP = 80, TOP = 60, LINE = 16;

    public static String svg(ClusterTopology c) {
        int n = Math.max(1, c.nodes().size());
        int maxPods = c.nodes().stream().mapToInt(v -> v.topology().podCount()).max().orElse(0);
        int boxH = 110 + LINE * Math.max(1, maxPods);
        int width = GAP + n * (W + GAP), height = TOP + boxH + 60 + LINE * Math.max(1, c.tunnels().size());
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"monospace\" font-size=\"12\">\n  <title>podnet cluster</title>\n")
                .append("  <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n")
                .append("  <text x=\"").append(GAP).append("\" y=\"30\" font-weight=\"bold\">")
                .append(esc("cluster: " + c.nodes().size() + " node(s), backend " + c.backend())).append("</text>\n");
        for (int i = 0; i < c.nodes().size(); i++) {
            ClusterTopology.NodeView v = c.nodes().get(i);
            int x = GAP + i * (W + GAP);
            sb.append("  <g class=\"node\" id=\"").append(esc("node-" + v.name())).append("\">\n")
                    .append("    <rect x=\"").append(x).append("\" y=\"").append(TOP).append("\" width=\"").append(W)
                    .append("\" height=\"").append(boxH).append("\" rx=\"8\" fill=\"#f8fafc\" stroke=\"#64748b\" stroke-dasharray=\"6 4\"/>\n");
            int y = TOP + 20;
            for (String line : new String[] {"node " + v.name(), "subnet " + v.subnet(), v.underlay() + " " + v.underlayIp(),
                    v.vtep() == null ? "no VXLAN device" : v.vtep() + " " + v.vtepMac()}) {
                sb.append("    <text x=\"").append(x + 10).append("\" y=\"").append(y).append("\">").append(esc(line)).append("</text>\n");
                y += LINE;
            }
            y += 6;
            for (Topology.Bridge b : v.topology().bridges()) {
                for (Topology.Port p : b.ports()) {
                    if (p.pod() != null) {
                        sb.append("    <text class=\"pod\" x=\"").append(x + 10).append("\" y=\"").append(y).append("\" fill=\"#166534\">")
                                .append(esc("pod " + p.pod().label() + " " + p.pod().firstAddress())).append("</text>\n");
                        y += LINE;
                    }
                }
            }
            sb.append("  </g>\n");
        }
        int y = TOP + boxH + 30;
        for (ClusterTopology.Tunnel t : c.tunnels()) {
            int a = index(c, t.from()), b = index(c, t.to());
            int xa = GAP + a * (W + GAP) + W / 2, xb = GAP + b * (W + GAP) + W / 2;
            sb.append("  <line class=\"tunnel\" x1=\"").append(xa).append("\" y1=\"").append(TOP + boxH).append("\" x2=\"").append(xb)
                    .append("\" y2=\"").append(TOP + boxH).append("\" stroke=\"#1d4ed8\" stroke-width=\"2\"/>\n")
                    .append("  <text x=\"").append(GAP).append("\" y=\"").append(y).append("\">")
                    .append(esc(t.from() + " -> " + t.to() + ": " + t.subnet() + " via " + t.device()
                            + (t.vxlan() ? " (VXLAN to " + t.peerIp() + ")" : " (via " + t.peerIp() + ")"))).append("</text>\n");
            y += LINE;
        }
        return sb.append("</svg>\n").toString();
    }

    public static String html(ClusterTopology c) {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>podnet cluster</title>\n"
                + "<style>body{font-family:system-ui,sans-serif;margin:24px}pre{background:#f1f5f9;padding:12px}</style>\n"
                + "</head>\n<body>\n<h1>" + esc("Cluster: " + c.nodes().size() + " node(s), backend " + c.backend()) + "</h1>\n"
                + svg(c) + "<h2>Nodes and tunnels</h2>\n<pre>" + esc(text(c)) + "</pre>\n</body>\n</html>\n";
    }

    private static int index(ClusterTopology c, String name) {
        for (int i = 0; i < c.nodes().size(); i++) {
            if (c.nodes().get(i).name().equals(name)) {
                return i;
            }
        }
        return 0;
    }
}
