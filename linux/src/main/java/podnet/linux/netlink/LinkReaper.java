package podnet.linux.netlink;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import podnet.linux.netlink.nl.NetlinkSocket;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.NlRequest;
import podnet.linux.netlink.nl.Rtm;
import podnet.linux.ns.NamespaceTable;
import podnet.linux.sys.Errno;
import podnet.linux.sys.SysException;

/**
 * Deletes links of one network namespace for many callers at once (see
 * {@link Links#deleteCoalesced}). After unlisting a link the kernel waits for an RCU barrier
 * before the deleting call returns (10-20 ms here, more on a busy node), and concurrent
 * deletions take rtnl one after the other; links put in one link group and deleted by one
 * request share all of that. So a caller hands its link to this namespace's reaper thread and
 * returns as soon as the link is gone from the namespace (its RTM_DELLINK notification: name
 * free, addresses and routes gone, the veth's peer gone too), not when the kernel has finished
 * freeing it; the reaper takes whatever was handed over meanwhile in its next batch. The thread
 * and its sockets exist only while there is work, so nothing keeps the namespace alive after.
 */
final class LinkReaper {
    static final int RTNLGRP_LINK = 1;
    /** Group ids for batches: far from the small numbers people give link groups by hand. */
    private static final int GROUP_BASE = 0x50000000, GROUP_SPAN = 0x2fffffff;
    /** A caller's longest wait for its notification before it waits for the reaper instead. */
    private static final long NOTIFY_WAIT_NANOS = 10_000_000_000L;

    private static final Map<Long, LinkReaper> BY_NETNS = new HashMap<>();

    private record Pending(int index, CompletableFuture<Void> done) {}

    private final long netns;
    private final List<Pending> queue = new ArrayList<>();
    /** Sockets callers opened in this namespace for the reaper (it cannot open one here itself). */
    private final List<NetlinkSocket> sockets = new ArrayList<>();

    private LinkReaper(long netns) {
        this.netns = netns;
    }

    /**
     * Deletes link {@code index} of the calling thread's namespace and returns once it is gone
     * from it; a link that is gone already is fine.
     */
    static void delete(int index) {
        long ns = NamespaceTable.inode(Path.of("/proc/thread-self/ns/net"));
        try (NetlinkSocket events = NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE)) {
            events.joinGroup(RTNLGRP_LINK); // before the hand-over: the notification cannot be missed
            Pending p = new Pending(index, new CompletableFuture<>());
            handOver(ns, p, NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE));
            awaitGone(events, p);
        }
    }

    private static void handOver(long ns, Pending p, NetlinkSocket socket) {
        synchronized (BY_NETNS) {
            LinkReaper r = BY_NETNS.get(ns);
            boolean start = r == null;
            if (start) {
                r = new LinkReaper(ns);
                BY_NETNS.put(ns, r);
            }
            r.queue.add(p);
            r.sockets.add(socket);
            if (start) {
                LinkReaper reaper = r;
                Thread.ofPlatform().name("podnet-link-reaper").daemon(true).start(reaper::run);
            }
        }
    }

    /** Until the link's RTM_DELLINK arrives, or the reaper finished with it (which also reports errors). */
    private static void awaitGone(NetlinkSocket events, Pending p) {
        long deadline = System.nanoTime() + NOTIFY_WAIT_NANOS;
        try {
            while (!p.done().isDone() && System.nanoTime() < deadline) {
                for (NlMessage m : events.awaitNotifications(5)) {
                    if (m.type() == Rtm.DELLINK && m.payload().getInt(4) == p.index()) {
                        return;
                    }
                }
            }
        } catch (SysException e) {
            if (!e.is(Errno.ENOBUFS)) {
                throw e;
            }
            // notifications overflowed our socket on a busy node: wait for the reaper instead
        }
        try {
            p.done().join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private void run() {
        while (true) {
            List<Pending> batch;
            NetlinkSocket socket;
            synchronized (BY_NETNS) {
                if (queue.isEmpty()) {
                    BY_NETNS.remove(netns);
                    sockets.forEach(NetlinkSocket::close);
                    return;
                }
                batch = new ArrayList<>(queue);
                queue.clear();
                socket = sockets.getFirst();
                // keep one socket for the next batch; the others are spare
                while (sockets.size() > 1) {
                    sockets.removeLast().close();
                }
            }
            try {
                reap(socket, batch);
            } catch (RuntimeException e) {
                batch.forEach(p -> p.done().completeExceptionally(e));
            }
        }
    }

    /** One link: one DELLINK. More: all into a fresh link group, then one DELLINK for the group. */
    private static void reap(NetlinkSocket socket, List<Pending> batch) {
        if (batch.size() == 1) {
            deleteOne(socket, batch.getFirst());
            return;
        }
        int group = GROUP_BASE + ThreadLocalRandom.current().nextInt(GROUP_SPAN);
        List<NlRequest> reqs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Pending p : batch) {
            reqs.add(Rtm.ifinfomsg(Rtm.NEWLINK, 0, 0, p.index(), 0, 0).attrU32(RtBatch.IFLA_GROUP, group));
            names.add("put link #" + p.index() + " into group " + group + " to delete it");
        }
        reqs.add(Rtm.ifinfomsg(Rtm.DELLINK, 0, 0, 0, 0, 0).attrU32(RtBatch.IFLA_GROUP, group));
        names.add("delete link group " + group);
        List<NetlinkSocket.Outcome> out = socket.requestEach(reqs, names);
        NetlinkException groupError = out.getLast().error();
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            NetlinkException e = out.get(i).error();
            if (e != null) {
                finish(p, e); // ENODEV: gone already
            } else if (groupError != null && !groupError.is(Errno.ENODEV)) {
                deleteOne(socket, p); // the group delete was refused: one by one, as without batching
            } else {
                p.done().complete(null);
            }
        }
    }

    private static void deleteOne(NetlinkSocket socket, Pending p) {
        NetlinkException e = socket.requestEach(List.of(Rtm.ifinfomsg(Rtm.DELLINK, 0, 0, p.index(), 0, 0)),
                List.of("delete link #" + p.index())).getFirst().error();
        finish(p, e);
    }

    private static void finish(Pending p, NetlinkException e) {
        if (e == null || e.is(Errno.ENODEV)) {
            p.done().complete(null);
        } else {
            p.done().completeExceptionally(e);
        }
    }
}
