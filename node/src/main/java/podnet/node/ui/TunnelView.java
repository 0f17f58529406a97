package podnet.node.ui;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Neighbour;
import podnet.linux.netlink.RemoteFdbEntry;
import podnet.linux.netlink.Route;
import podnet.linux.netlink.Vxlan;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Sockets;

/**
 * The node's VXLAN tunnels as the page draws them: each VTEP (flannel.1, or any vxlan link) and
 * its peers, one per remote VTEP MAC, joined from the three entries flannel's data path needs —
 * the FDB entry (MAC → the peer's underlay IP), the permanent neighbour (the peer's gateway
 * {@code <subnet>.0} → MAC) and the onlink route to the peer's subnet via that gateway. A peer
 * missing one of them says which, as the trace's diagnosis does.
 */
record TunnelView(String device, int vni, int port, String local, String mac, boolean up, List<String> addresses,
        List<Peer> peers) {

    record Peer(String vtepMac, String underlay, String gateway, String subnet, List<String> missing) {}

    /** The vxlan links of {@code node} and their peers; empty when there are none. */
    static List<TunnelView> read(Netns node) {
        List<TunnelView> out = new ArrayList<>();
        try (NetlinkHandle h = NetlinkHandle.open(node)) {
            List<Link> vteps = h.links().list().stream().filter(l -> "vxlan".equals(l.kind())).toList();
            if (vteps.isEmpty()) {
                return out;
            }
            List<Neighbour> neighbours = h.neighbours().list(Sockets.AF_INET);
            List<Route> routes = h.routes().list(Sockets.AF_INET);
            for (Link l : vteps) {
                Optional<Vxlan> vx = h.links().vxlan(l.name());
                List<String> addresses = h.addresses().list(l.name(), Sockets.AF_INET).stream()
                        .map(a -> a.cidr().toString()).toList();
                out.add(new TunnelView(l.name(), vx.map(Vxlan::vni).orElse(0), vx.map(Vxlan::port).orElse(0),
                        vx.map(v -> v.local() == null ? null : Cidr.text(v.local())).orElse(null), String.valueOf(l.mac()),
                        l.isUp(), addresses, peers(l.index(), h.fdb().listRemote(l.index()), neighbours, routes)));
            }
        }
        return out;
    }

    /** One peer per MAC seen in the FDB or the neighbour table of link {@code index}, plus routes with neither. */
    static List<Peer> peers(int index, List<RemoteFdbEntry> fdb, List<Neighbour> neighbours, List<Route> routes) {
        Map<String, String> underlay = new LinkedHashMap<>(), gateway = new LinkedHashMap<>();
        for (RemoteFdbEntry e : fdb) {
            if (e.index() == index && !e.mac().toString().equals("00:00:00:00:00:00") && e.dst() != null) {
                underlay.put(e.mac().toString(), Cidr.text(e.dst()));
            }
        }
        for (Neighbour n : neighbours) {
            if (n.index() == index && n.mac() != null) {
                gateway.put(n.mac().toString(), Cidr.text(n.ip()));
            }
        }
        Map<String, String> subnetVia = new LinkedHashMap<>();
        for (Route r : routes) {
            if (r.oif() == index && r.gateway() != null && r.destination() != null) {
                subnetVia.put(Cidr.text(r.gateway()), r.destination().toString());
            }
        }
        List<String> macs = new ArrayList<>(underlay.keySet());
        gateway.keySet().stream().filter(m -> !underlay.containsKey(m)).forEach(macs::add);
        List<Peer> peers = new ArrayList<>();
        List<String> routedGateways = new ArrayList<>();
        for (String mac : macs) {
            String gw = gateway.get(mac);
            String subnet = gw == null ? null : subnetVia.get(gw);
            if (gw != null) {
                routedGateways.add(gw);
            }
            List<String> missing = new ArrayList<>();
            if (!underlay.containsKey(mac)) missing.add("fdb");
            if (gw == null) missing.add("neighbour");
            if (subnet == null) missing.add("route");
            peers.add(new Peer(mac, underlay.get(mac), gw, subnet, missing));
        }
        subnetVia.forEach((gw, subnet) -> {
            if (!routedGateways.contains(gw)) {
                peers.add(new Peer(null, null, gw, subnet, List.of("neighbour", "fdb")));
            }
        });
        return peers;
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", device);
        m.put("vni", vni);
        m.put("port", port);
        m.put("local", local);
        m.put("mac", mac);
        m.put("up", up);
        m.put("addresses", addresses);
        m.put("peers", peers.stream().map(p -> {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("vtepMac", p.vtepMac());
            pm.put("underlay", p.underlay());
            pm.put("gateway", p.gateway());
            pm.put("subnet", p.subnet());
            pm.put("missing", p.missing());
            return (Object) pm;
        }).toList());
        return m;
    }
}
