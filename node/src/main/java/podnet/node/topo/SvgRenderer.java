package podnet.node.topo;

import java.util.ArrayList;
import java.util.List;

/**
 * The topology drawn like the article's figure: pods in rows at the top, each a box holding its
 * netns, eth0, address and MAC; a line per veth pair down to the bridge box; the node's uplinks
 * below, all inside a dashed box for the node's namespace. Lines leave each pod box, run along
 * the gutter under its row, then down a lane in the column gutter, so that with many pods no
 * line crosses a box.
 */
public final class SvgRenderer {
    private SvgRenderer() {}

    static final int BOX_W = 200, BOX_H = 84, COL = 230, ROW = 120, MARGIN = 20, MAX_COLS = 8;

    public static String render(Topology t) {
        List<Placed> pods = new ArrayList<>();
        for (Topology.Bridge b : t.bridges()) {
            for (Topology.Port p : b.ports()) {
                pods.add(new Placed(b, p));
            }
        }
        int n = Math.max(1, pods.size());
        int cols = Math.min(n, MAX_COLS);
        int rows = (n + cols - 1) / cols;
        int width = Math.max(2 * MARGIN + cols * COL, 560);
        int bridgeTop = MARGIN + rows * ROW + 40;
        int bridgeH = 64 * Math.max(1, t.bridges().size());
        int uplinkTop = bridgeTop + bridgeH + 40;
        int height = t.uplinks().isEmpty() ? bridgeTop + bridgeH + MARGIN : uplinkTop + 70 + MARGIN + 10;

        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"monospace\" font-size=\"12\">\n");
        sb.append("  <title>").append(esc("podnet topology of node " + t.node())).append("</title>\n");
        sb.append("  <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        // The node's namespace: bridge and uplinks.
        sb.append("  <rect class=\"node\" x=\"").append(MARGIN / 2).append("\" y=\"").append(bridgeTop - 30)
                .append("\" width=\"").append(width - MARGIN).append("\" height=\"").append(height - bridgeTop + 20 - MARGIN / 2)
                .append("\" fill=\"none\" stroke=\"#64748b\" stroke-dasharray=\"6 4\" rx=\"8\"/>\n");
        sb.append("  <text x=\"").append(MARGIN).append("\" y=\"").append(bridgeTop - 12).append("\" fill=\"#475569\">")
                .append(esc("node netns " + t.node())).append("</text>\n");

        int bridgeY = bridgeTop;
        int bridgeX = MARGIN, bridgeW = width - 2 * MARGIN;
        java.util.Map<Topology.Bridge, Integer> bridgeYs = new java.util.HashMap<>();
        for (Topology.Bridge b : t.bridges()) {
            bridgeYs.put(b, bridgeY);
            sb.append("  <g class=\"bridge\" id=\"").append(esc("bridge-" + b.name())).append("\">\n");
            sb.append("    <rect x=\"").append(bridgeX).append("\" y=\"").append(bridgeY).append("\" width=\"")
                    .append(bridgeW).append("\" height=\"54\" rx=\"6\" fill=\"#dbeafe\" stroke=\"#1d4ed8\"/>\n");
            sb.append("    <text x=\"").append(bridgeX + 10).append("\" y=\"").append(bridgeY + 22)
                    .append("\" font-weight=\"bold\">").append(esc("bridge " + b.name() + "  " + TextRenderer.addresses(b.addresses())
                            + (b.up() ? "" : "  (down)"))).append("</text>\n");
            sb.append("    <text x=\"").append(bridgeX + 10).append("\" y=\"").append(bridgeY + 42).append("\">")
                    .append(esc((b.mac() == null ? "" : b.mac() + "  ") + b.ports().size() + " port(s): learns MACs, forwards frames"))
                    .append("</text>\n  </g>\n");
            bridgeY += 64;
        }

        for (int i = 0; i < pods.size(); i++) {
            Placed pl = pods.get(i);
            int r = i / cols, c = i % cols;
            int x = MARGIN + c * COL, y = MARGIN + r * ROW;
            Topology.Port p = pl.port;
            Topology.Pod pod = p.pod();
            String id = pod == null ? "port-" + p.name() : "pod-" + pod.label();
            sb.append("  <g class=\"pod\" id=\"").append(esc(id)).append("\">\n");
            sb.append("    <rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"").append(BOX_W)
                    .append("\" height=\"").append(BOX_H).append("\" rx=\"6\" fill=\"")
                    .append(pod == null ? "#f1f5f9" : "#dcfce7").append("\" stroke=\"#15803d\"/>\n");
            String[] lines = pod == null
                    ? new String[] {"port " + p.name(), "(no pod namespace)", "", "host end " + p.name()}
                    : new String[] {"pod " + pod.label(), pod.ifname() + " " + pod.firstAddress(),
                            pod.mac() == null ? "" : String.valueOf(pod.mac()), "veth host end " + p.name()};
            for (int k = 0; k < lines.length; k++) {
                sb.append("    <text x=\"").append(x + 8).append("\" y=\"").append(y + 18 + k * 18).append('"')
                        .append(k == 0 ? " font-weight=\"bold\"" : "").append('>').append(esc(clip(lines[k], 26)))
                        .append("</text>\n");
            }
            // The veth pair: out of the box, along the row gutter, down the column lane, into the bridge.
            int x0 = x + BOX_W / 2, y0 = y + BOX_H;
            int gutterY = y0 + 12 + (r % 3) * 4;
            int laneX = x + BOX_W + 8 + Math.min(r, 7) * 4;
            int yb = bridgeYs.get(pl.bridge);
            sb.append("    <polyline class=\"veth\" points=\"").append(x0).append(',').append(y0).append(' ')
                    .append(x0).append(',').append(gutterY).append(' ').append(laneX).append(',').append(gutterY).append(' ')
                    .append(laneX).append(',').append(yb).append("\" fill=\"none\" stroke=\"")
                    .append(p.up() ? "#15803d" : "#dc2626").append("\" stroke-width=\"2\"/>\n");
            sb.append("    <rect x=\"").append(laneX - 4).append("\" y=\"").append(yb - 4)
                    .append("\" width=\"8\" height=\"8\" fill=\"#1d4ed8\"><title>").append(esc(p.name() + " " + p.stpState()))
                    .append("</title></rect>\n  </g>\n");
        }

        int ux = MARGIN;
        for (Topology.Uplink u : t.uplinks()) {
            sb.append("  <g class=\"uplink\" id=\"").append(esc("uplink-" + u.name())).append("\">\n");
            sb.append("    <rect x=\"").append(ux).append("\" y=\"").append(uplinkTop).append("\" width=\"").append(BOX_W)
                    .append("\" height=\"50\" rx=\"6\" fill=\"#fef9c3\" stroke=\"#a16207\"/>\n");
            sb.append("    <text x=\"").append(ux + 8).append("\" y=\"").append(uplinkTop + 20).append("\" font-weight=\"bold\">")
                    .append(esc(u.name() + " (" + u.kind() + ")")).append("</text>\n");
            sb.append("    <text x=\"").append(ux + 8).append("\" y=\"").append(uplinkTop + 38).append("\">")
                    .append(esc(clip(TextRenderer.addresses(u.addresses()), 26))).append("</text>\n  </g>\n");
            ux += COL;
            if (ux + BOX_W > width) {
                break;
            }
        }
        return sb.append("</svg>\n").toString();
    }

    private record Placed(Topology.Bridge bridge, Topology.Port port) {}

    private static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> {
                    if (ch >= 0x20 || ch == '\t') {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.toString();
    }
}
