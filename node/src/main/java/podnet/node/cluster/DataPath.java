package podnet.node.cluster;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;
import podnet.linux.netlink.Change;
import podnet.linux.netlink.Fdb;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Neighbour;
import podnet.linux.netlink.Neighbours;
import podnet.linux.netlink.RemoteFdbEntry;
import podnet.linux.netlink.Route;
import podnet.linux.netlink.Routes;
import podnet.linux.sys.Sockets;

/**
 * Brings the kernel's peer entries to what the peers need, and only that: reads the
 * neighbours and FDB entries of the tunnel device and the routes into the cluster network,
 * then adds what is missing — all neighbours, then all FDB entries, then all routes, one
 * batch each, so a peer's route never exists before its neighbour and FDB entry — and
 * removes what no peer needs, in reverse (routes, FDB, neighbours). A peer whose step fails
 * gets the steps made for it in this pass taken back. Nothing that is right is touched, so a
 * pass over a correct kernel changes nothing (a restarted agent disturbs no traffic).
 */
final class DataPath {
    /** What one pass did. */
    record Outcome(int added, int removed, Map<Cidr, String> failures) {
        boolean changedAnything() {
            return added > 0 || removed > 0;
        }
    }

    private final NetlinkHandle h;
    private final Cidr network;
    private final Supplier<Cidr> own;
    private final Backend backend;

    DataPath(NetlinkHandle h, Cidr network, Supplier<Cidr> own, Backend backend) {
        this.h = h;
        this.network = network;
        this.own = own;
        this.backend = backend;
    }

    Outcome reconcile(Collection<PeerEntries> desired) {
        int tunnel = backend.tunnelLink();
        Map<InetAddress, MacAddress> neigh = tunnel == 0 ? Map.of() : neighbours(tunnel);
        List<RemoteFdbEntry> fdb = tunnel == 0 ? List.of() : h.fdb().listRemote(tunnel);
        Map<Cidr, Route> routes = routes();
        Map<Cidr, String> failures = new LinkedHashMap<>();
        int added = 0;

        // 1. neighbours
        Map<Cidr, List<Change>> undo = new HashMap<>();
        List<PeerEntries> needN = new ArrayList<>();
        for (PeerEntries p : desired) {
            if (p.tunnelled() && !p.mac().equals(neigh.get(p.neighbourIp()))) {
                needN.add(p);
            }
        }
        added += apply(needN, p -> Neighbours.permanent(tunnel, p.neighbourIp(), p.mac()),
                p -> Neighbours.removal(tunnel, p.neighbourIp()), undo, failures);

        // 2. FDB entries
        List<PeerEntries> needF = new ArrayList<>();
        for (PeerEntries p : desired) {
            if (p.tunnelled() && !failures.containsKey(p.subnet()) && !fdbHas(fdb, p.mac(), p.fdbDst())) {
                needF.add(p);
            }
        }
        added += apply(needF, p -> Fdb.remote(tunnel, p.mac(), p.fdbDst()),
                p -> Fdb.remoteRemoval(tunnel, p.mac(), p.fdbDst()), undo, failures);

        // 3. routes
        List<PeerEntries> needR = new ArrayList<>();
        for (PeerEntries p : desired) {
            if (!failures.containsKey(p.subnet()) && !sameRoute(routes.get(p.subnet()), p.route())) {
                needR.add(p);
            }
        }
        added += apply(needR, p -> Routes.replacement(p.route()), p -> Routes.removal(p.route()), undo, failures);

        // Roll back what the failed peers got in this pass (their route never went in).
        List<Change> rollback = new ArrayList<>();
        for (Cidr failed : failures.keySet()) {
            List<Change> made = undo.getOrDefault(failed, List.of());
            for (int i = made.size() - 1; i >= 0; i--) {
                rollback.add(made.get(i));
            }
        }
        if (!rollback.isEmpty()) {
            h.applyEach(rollback);
        }

        // Stale entries, in reverse order: routes, FDB, neighbours.
        Set<Cidr> wantedRoutes = new HashSet<>();
        Map<MacAddress, InetAddress> wantedFdb = new HashMap<>();
        Set<InetAddress> wantedNeigh = new HashSet<>();
        for (PeerEntries p : desired) {
            if (failures.containsKey(p.subnet())) {
                continue;
            }
            wantedRoutes.add(p.subnet());
            if (p.tunnelled()) {
                wantedFdb.put(p.mac(), p.fdbDst());
                wantedNeigh.add(p.neighbourIp());
            }
        }
        int removed = 0;
        List<Change> staleRoutes = new ArrayList<>();
        for (Map.Entry<Cidr, Route> r : routes.entrySet()) {
            if (!wantedRoutes.contains(r.getKey())) {
                staleRoutes.add(Routes.removal(r.getValue()));
            }
        }
        removed += count(h.applyEach(staleRoutes));
        List<Change> staleFdb = new ArrayList<>();
        for (RemoteFdbEntry e : fdb) {
            if (!isZero(e.mac()) && !e.dst().equals(wantedFdb.get(e.mac()))) {
                staleFdb.add(Fdb.remoteRemoval(tunnel, e.mac(), e.dst()));
            }
        }
        removed += count(h.applyEach(staleFdb));
        List<Change> staleNeigh = new ArrayList<>();
        for (InetAddress ip : neigh.keySet()) {
            if (!wantedNeigh.contains(ip)) {
                staleNeigh.add(Neighbours.removal(tunnel, ip));
            }
        }
        removed += count(h.applyEach(staleNeigh));
        return new Outcome(added, removed, failures);
    }

    /** Removes every peer entry (the node leaves, or host-gw tears down). */
    void removeAll() {
        reconcile(List.of());
    }

    private int apply(List<PeerEntries> peers, java.util.function.Function<PeerEntries, Change> make,
            java.util.function.Function<PeerEntries, Change> unmake, Map<Cidr, List<Change>> undo,
            Map<Cidr, String> failures) {
        if (peers.isEmpty()) {
            return 0;
        }
        List<Change> changes = peers.stream().map(make).toList();
        List<NetlinkException> result = h.applyEach(changes);
        int ok = 0;
        for (int i = 0; i < peers.size(); i++) {
            Cidr s = peers.get(i).subnet();
            if (result.get(i) == null) {
                undo.computeIfAbsent(s, k -> new ArrayList<>()).add(unmake.apply(peers.get(i)));
                ok++;
            } else {
                failures.put(s, result.get(i).getMessage());
            }
        }
        return ok;
    }

    private static int count(List<NetlinkException> results) {
        return (int) results.stream().filter(Objects::isNull).count();
    }

    private Map<InetAddress, MacAddress> neighbours(int tunnel) {
        Map<InetAddress, MacAddress> out = new HashMap<>();
        for (Neighbour n : h.neighbours().list(Sockets.AF_INET, tunnel)) {
            if ((n.state() & Neighbour.NUD_PERMANENT) != 0 && n.mac() != null) {
                out.put(n.ip(), n.mac());
            }
        }
        return out;
    }

    private static boolean fdbHas(List<RemoteFdbEntry> fdb, MacAddress mac, InetAddress dst) {
        for (RemoteFdbEntry e : fdb) {
            if (e.mac().equals(mac) && e.dst().equals(dst) && e.isPermanent()) {
                return true;
            }
        }
        return false;
    }

    private static boolean isZero(MacAddress m) {
        for (byte b : m.bytes()) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Our routes: main table, inside the cluster network, not the node's own subnet, out of the backend's link. */
    private Map<Cidr, Route> routes() {
        Map<Cidr, Route> out = new HashMap<>();
        Cidr mine = own.get();
        for (Route r : h.routes().list(Sockets.AF_INET)) {
            Cidr d = r.destination();
            if (d == null || r.table() != Route.TABLE_MAIN || r.type() != Route.TYPE_UNICAST
                    || d.prefixLength() < network.prefixLength() || !network.contains(d.address())
                    || d.equals(mine) || r.gateway() == null || r.oif() != backend.routeLink()) {
                continue;
            }
            out.put(d, r);
        }
        return out;
    }

    private static boolean sameRoute(Route have, Route want) {
        return have != null && Objects.equals(have.gateway(), want.gateway()) && have.oif() == want.oif()
                && have.isOnlink() == want.isOnlink();
    }
}
