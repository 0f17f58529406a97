package podnet.node.observe;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.VethPeers;
import podnet.linux.ns.Netns;

/**
 * The node namespace's links by index, with the namespace behind each veth (the pod at its far
 * end), kept current from link notifications (see {@link Observer}) so names stay right as
 * pods come and go. Safe to read from any thread.
 */
final class NodeLinks {
    /** A link of the node; {@code peer} is the namespace its veth peer lives in, if named. */
    record Info(int index, String name, String kind, int masterIndex, Netns peer) {
        boolean isLoopback() {
            return "lo".equals(name);
        }
    }

    private final Netns node;
    private final Map<Integer, Info> links = new ConcurrentHashMap<>();

    NodeLinks(Netns node) {
        this.node = node;
    }

    /** Reads every link again (at start, and after lost notifications). */
    void refresh() {
        try (NetlinkHandle h = NetlinkHandle.open(node)) {
            Map<Integer, Info> fresh = new ConcurrentHashMap<>();
            for (Link l : h.links().list()) {
                fresh.put(l.index(), info(h, l));
            }
            links.keySet().retainAll(fresh.keySet());
            links.putAll(fresh);
            kinds = null;
        }
    }

    /** Applies one notification: a link appeared, changed or went away. */
    void changed(Link l, boolean removed) {
        kinds = null;
        if (removed) {
            links.remove(l.index());
            return;
        }
        Info known = links.get(l.index());
        if (known != null && known.name().equals(l.name()) && known.masterIndex() == l.masterIndex()
                && (known.peer() != null || !l.isVeth())) {
            return; // an up/down or counter change: nothing we keep moved
        }
        try (NetlinkHandle h = NetlinkHandle.open(node)) {
            links.put(l.index(), info(h, l));
        } catch (RuntimeException e) {
            links.put(l.index(), new Info(l.index(), l.name(), l.kind(), l.masterIndex(), null));
        }
    }

    private static Info info(NetlinkHandle h, Link l) {
        Netns peer = null;
        if (l.isVeth()) {
            try {
                peer = VethPeers.of(h, l).filter(p -> !p.sameNetns()).map(VethPeers.Peer::netns).orElse(null);
            } catch (RuntimeException e) {
                peer = null; // a namespace that vanished while we looked
            }
        }
        return new Info(l.index(), l.name(), l.kind(), l.masterIndex(), peer);
    }

    Optional<Info> get(int index) {
        Info i = links.get(index);
        if (i == null) {
            refreshQuietly();
            i = links.get(index);
        }
        return Optional.ofNullable(i);
    }

    private long lastMissRefresh;

    /** An index we do not know: read again, but not more than once a second (frames keep coming). */
    private void refreshQuietly() {
        long now = System.nanoTime();
        if (now - lastMissRefresh < 1_000_000_000L) {
            return;
        }
        lastMissRefresh = now;
        try {
            refresh();
        } catch (RuntimeException e) {
            // the node namespace went away: names stay as they were
        }
    }

    boolean isLoopback(int index) {
        Info i = links.get(index);
        return i != null && i.isLoopback();
    }

    String name(int index) {
        return get(index).map(Info::name).orElse("#" + index);
    }

    /** The namespace behind a veth port (a pod), if any. */
    Optional<Netns> peerOf(int index) {
        return get(index).map(Info::peer);
    }

    Netns node() {
        return node;
    }

    private volatile java.util.Set<String> kinds;

    /** The kinds of link the node has (bridge, veth, vxlan, ...), recomputed after changes. */
    java.util.Set<String> kinds() {
        java.util.Set<String> k = kinds;
        if (k == null) {
            java.util.Set<String> out = new java.util.HashSet<>();
            for (Info i : links.values()) {
                if (i.kind() != null) {
                    out.add(i.kind());
                }
            }
            kinds = k = java.util.Set.copyOf(out);
        }
        return k;
    }

    Iterable<Info> all() {
        return links.values();
    }
}
