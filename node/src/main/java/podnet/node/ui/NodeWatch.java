package podnet.node.ui;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import podnet.linux.netlink.NetlinkEvents;
import podnet.linux.ns.Netns;
import podnet.node.topo.Topology;
import podnet.node.topo.TopologyReader;

/**
 * Keeps the node's picture current from rtnetlink notifications — links, addresses,
 * neighbours, FDB and routes of the node namespace (so also its VXLAN tunnels and their peers), links and addresses of every pod namespace behind
 * a port — and hands a fresh {@link Topology} to the listener after each burst of changes
 * (100 ms quiet). No polling: threads wait on their sockets.
 */
final class NodeWatch implements AutoCloseable {
    interface Listener {
        void changed(Topology t, List<TunnelView> tunnels);
    }

    private static final long QUIET_NANOS = 100_000_000L;

    private final Netns node;
    private final Listener listener;
    private final Map<String, Thread> podWatchers = new ConcurrentHashMap<>();
    private final List<NetlinkEvents> sockets = new ArrayList<>();
    private final Object dirtyLock = new Object();
    private volatile boolean stopped;
    private boolean dirty = true;
    private volatile Topology current;
    private volatile List<TunnelView> tunnels = List.of();
    private final Thread nodeThread, publisher;

    NodeWatch(Netns node, Listener listener) {
        this.node = node;
        this.listener = listener;
        NetlinkEvents events = NetlinkEvents.open(node, EnumSet.allOf(NetlinkEvents.Kind.class));
        sockets.add(events);
        current = TopologyReader.read(node);
        tunnels = readTunnels();
        nodeThread = Thread.ofPlatform().daemon().name("podnet-ui-node").start(() -> watch(events));
        publisher = Thread.ofPlatform().daemon().name("podnet-ui-topology").start(this::publish);
    }

    Topology current() {
        return current;
    }

    /** The node's VXLAN tunnels as of the last change (FDB, neighbour and route events included). */
    List<TunnelView> tunnels() {
        return tunnels;
    }

    private List<TunnelView> readTunnels() {
        try {
            return TunnelView.read(node);
        } catch (RuntimeException e) {
            return tunnels; // a link vanished while we read: the next notification reads again
        }
    }

    private void watch(NetlinkEvents events) {
        while (!stopped) {
            try {
                if (!events.next(200).isEmpty()) {
                    markDirty();
                }
            } catch (RuntimeException e) {
                if (stopped) {
                    return;
                }
                sleep(200); // the namespace went away (pod removed): its watcher just ends
                if (!events.netns().exists()) {
                    return;
                }
            }
        }
    }

    private void markDirty() {
        synchronized (dirtyLock) {
            dirty = true;
            dirtyLock.notifyAll();
        }
    }

    private void publish() {
        while (!stopped) {
            synchronized (dirtyLock) {
                while (!dirty && !stopped) {
                    try {
                        dirtyLock.wait(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                dirty = false;
            }
            sleep(QUIET_NANOS / 1_000_000); // let a burst (veth made, moved, addressed, up) settle
            try {
                Topology t = TopologyReader.read(node);
                current = t;
                tunnels = readTunnels();
                watchPods(t);
                listener.changed(t, tunnels);
            } catch (RuntimeException e) {
                // a link vanished while we read: the next notification reads again
            }
        }
    }

    /** Address and link changes inside pods are not seen from the node: watch each pod too. */
    private void watchPods(Topology t) {
        for (Topology.Bridge b : t.bridges()) {
            for (Topology.Port p : b.ports()) {
                if (p.pod() == null || p.pod().netns() == null || stopped) {
                    continue;
                }
                podWatchers.computeIfAbsent(p.pod().netns(), name -> {
                    NetlinkEvents ev = NetlinkEvents.open(Netns.named(name),
                            EnumSet.of(NetlinkEvents.Kind.LINK, NetlinkEvents.Kind.ADDRESS));
                    synchronized (sockets) {
                        sockets.add(ev);
                    }
                    return Thread.ofPlatform().daemon().name("podnet-ui-pod").start(() -> watch(ev));
                });
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stopped = true;
        markDirty();
        List<Thread> all = new ArrayList<>(podWatchers.values());
        all.add(nodeThread);
        all.add(publisher);
        for (Thread t : all) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (sockets) {
            sockets.forEach(NetlinkEvents::close);
        }
    }
}
