package podnet.node.topo;

import static podnet.node.topo.SvgRenderer.esc;

import java.util.List;
import java.util.stream.Collectors;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.FdbEntry;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.Neighbour;

/** A self-contained page: the SVG picture, then tables of the node's links, FDB and neighbours. */
public final class HtmlRenderer {
    private HtmlRenderer() {}

    public static String render(Topology t, NodeTables tables) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(esc("podnet: node " + t.node())).append("</title>\n<style>\n")
                .append("body{font-family:system-ui,sans-serif;margin:24px;color:#0f172a}")
                .append("table{border-collapse:collapse;margin:8px 0 24px}")
                .append("th,td{border:1px solid #cbd5e1;padding:4px 8px;font-family:monospace;font-size:13px;text-align:left}")
                .append("th{background:#f1f5f9}h2{margin-top:28px}\n</style>\n</head>\n<body>\n")
                .append("<h1>").append(esc("Node " + t.node())).append("</h1>\n<p>")
                .append(t.podCount()).append(" pod(s) on ").append(t.bridges().size())
                .append(" bridge(s). Each pod's eth0 is one end of a veth pair; the other end is a port of the bridge, which learns MACs and forwards frames between pods.</p>\n")
                .append(SvgRenderer.render(t));

        sb.append("<h2>Links</h2>\n<table id=\"links\"><tr><th>#</th><th>name</th><th>kind</th><th>state</th><th>mtu</th><th>mac</th><th>master</th><th>addresses</th></tr>\n");
        for (Link l : tables.links()) {
            List<Cidr> addrs = tables.addresses().stream().filter(a -> a.index() == l.index()).map(a -> a.cidr()).toList();
            row(sb, String.valueOf(l.index()), l.name(), l.kind() == null ? "" : l.kind(), l.operStateName(),
                    String.valueOf(l.mtu()), l.mac() == null ? "" : l.mac().toString(),
                    l.hasMaster() ? tables.linkName(l.masterIndex()) : "",
                    addrs.stream().map(Cidr::toString).collect(Collectors.joining(" ")));
        }
        sb.append("</table>\n<h2>Bridge forwarding database</h2>\n<table id=\"fdb\"><tr><th>bridge</th><th>port</th><th>mac</th><th>local</th><th>ageing (s)</th></tr>\n");
        for (FdbEntry e : tables.fdb()) {
            if (e.masterIndex() == 0 || e.mac().isMulticast()) {
                continue;
            }
            row(sb, tables.linkName(e.masterIndex()), tables.linkName(e.portIndex()), e.mac().toString(),
                    e.local() ? "yes" : "no", e.local() ? "" : String.format("%.2f", e.ageingCentis() / 100.0));
        }
        sb.append("</table>\n<h2>Neighbours (ARP / ND)</h2>\n<table id=\"neighbours\"><tr><th>address</th><th>dev</th><th>lladdr</th><th>state</th></tr>\n");
        for (Neighbour n : tables.neighbours()) {
            row(sb, n.ip() == null ? "" : Cidr.text(n.ip()), tables.linkName(n.index()),
                    n.mac() == null ? "" : n.mac().toString(), n.stateName());
        }
        return sb.append("</table>\n</body>\n</html>\n").toString();
    }

    private static void row(StringBuilder sb, String... cells) {
        sb.append("<tr>");
        for (String c : cells) {
            sb.append("<td>").append(esc(c)).append("</td>");
        }
        sb.append("</tr>\n");
    }
}
