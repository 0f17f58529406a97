package podnet.node.ui;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import podnet.linux.inet.Cidr;
import podnet.node.topo.Topology;

/** The topology as the page draws it: plain maps and lists for JSON. */
final class NodeView {
    private NodeView() {}

    static Map<String, Object> of(Topology t) {
        return of(t, List.of());
    }

    /** The topology and the node's VXLAN tunnels ({@link TunnelView}). */
    static Map<String, Object> of(Topology t, List<TunnelView> tunnels) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", t.node());
        List<Object> bridges = new ArrayList<>();
        for (Topology.Bridge b : t.bridges()) {
            Map<String, Object> bm = new LinkedHashMap<>();
            bm.put("name", b.name());
            bm.put("up", b.up());
            bm.put("addresses", b.addresses().stream().map(Cidr::toString).toList());
            List<Object> ports = new ArrayList<>();
            for (Topology.Port p : b.ports()) {
                Map<String, Object> pm = new LinkedHashMap<>();
                pm.put("name", p.name());
                pm.put("up", p.up());
                pm.put("stp", p.stpState());
                pm.put("hairpin", p.hairpin());
                if (p.pod() != null) {
                    Map<String, Object> pod = new LinkedHashMap<>();
                    pod.put("netns", p.pod().netns());
                    pod.put("name", podName(p.pod().netns()));
                    pod.put("ifname", p.pod().ifname());
                    pod.put("up", p.pod().up());
                    pod.put("addresses", p.pod().addresses().stream().map(Cidr::toString).toList());
                    pm.put("pod", pod);
                }
                ports.add(pm);
            }
            bm.put("ports", ports);
            bridges.add(bm);
        }
        m.put("bridges", bridges);
        m.put("uplinks", t.uplinks().stream().map(u -> {
            Map<String, Object> um = new LinkedHashMap<>();
            um.put("name", u.name());
            um.put("kind", u.kind());
            um.put("up", u.up());
            um.put("addresses", u.addresses().stream().map(Cidr::toString).toList());
            return (Object) um;
        }).toList());
        m.put("tunnels", tunnels.stream().map(TunnelView::toJson).toList());
        return m;
    }

    /** podnet's sandbox namespaces are podnet-POD: show the pod's name. */
    static String podName(String netns) {
        return netns != null && netns.startsWith("podnet-") ? netns.substring(7) : netns;
    }
}
