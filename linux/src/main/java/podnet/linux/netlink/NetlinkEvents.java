package podnet.linux.netlink;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import podnet.linux.netlink.nl.NetlinkSocket;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.Rtm;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;

/**
 * rtnetlink notifications of one network namespace, like {@code ip monitor}: a socket of its
 * own that joined the multicast groups of the chosen kinds. The kernel pushes every change, so
 * a watcher never polls; {@link #next} waits with a timeout so its thread can stop. A
 * reconciler that only needs to know that something changed (and then reads the state it
 * cares about) uses {@link #awaitChange} instead.
 */
public final class NetlinkEvents implements AutoCloseable {
    /** What to be told about. NEIGHBOUR covers the ARP/ND table and the bridge FDB (one group). */
    public enum Kind { LINK, ADDRESS, NEIGHBOUR, ROUTE }

    // enum rtnetlink_groups (linux/rtnetlink.h)
    static final int RTNLGRP_LINK = 1, RTNLGRP_NEIGH = 3, RTNLGRP_IPV4_IFADDR = 5, RTNLGRP_IPV4_ROUTE = 7,
            RTNLGRP_IPV6_IFADDR = 9, RTNLGRP_IPV6_ROUTE = 11;
    private static final int RECEIVE_BUFFER = 1 << 20;

    private final Netns netns;
    private final NetlinkSocket socket;

    private NetlinkEvents(Netns netns, NetlinkSocket socket) {
        this.netns = netns;
        this.socket = socket;
    }

    /** Subscribes in {@code netns}; changes made after this returns are all reported. */
    public static NetlinkEvents open(Netns netns, Set<Kind> kinds) {
        NetlinkSocket s = netns.call(() -> NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE));
        try {
            s.receiveBuffer(RECEIVE_BUFFER);
            EnumSet<Kind> k = kinds.isEmpty() ? EnumSet.noneOf(Kind.class) : EnumSet.copyOf(kinds);
            if (k.contains(Kind.LINK)) {
                s.joinGroup(RTNLGRP_LINK);
            }
            if (k.contains(Kind.ADDRESS)) {
                s.joinGroup(RTNLGRP_IPV4_IFADDR);
                s.joinGroup(RTNLGRP_IPV6_IFADDR);
            }
            if (k.contains(Kind.NEIGHBOUR)) {
                s.joinGroup(RTNLGRP_NEIGH);
            }
            if (k.contains(Kind.ROUTE)) {
                s.joinGroup(RTNLGRP_IPV4_ROUTE);
                s.joinGroup(RTNLGRP_IPV6_ROUTE);
            }
            return new NetlinkEvents(netns, s);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    public Netns netns() {
        return netns;
    }

    /**
     * The changes of the next notification datagram, waiting up to {@code timeoutMillis} (empty
     * on timeout). A lost-notifications condition comes back as one {@link NetlinkEvent.Overflow}.
     */
    public List<NetlinkEvent> next(int timeoutMillis) {
        List<NlMessage> messages;
        try {
            messages = socket.awaitNotifications(timeoutMillis);
        } catch (NetlinkException e) {
            if (e.is(Errno.ENOBUFS)) {
                return List.of(new NetlinkEvent.Overflow());
            }
            throw e;
        }
        List<NetlinkEvent> out = new ArrayList<>(messages.size());
        for (NlMessage m : messages) {
            NetlinkEvent e = decode(m);
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * Waits up to {@code timeoutMillis} for a change; true when one (or an overrun: changes
     * were lost) arrived. Everything queued is consumed undecoded, so a burst answers true once.
     */
    public boolean awaitChange(int timeoutMillis) {
        boolean changed = false;
        int wait = timeoutMillis;
        while (true) {
            try {
                if (socket.awaitNotifications(wait).isEmpty()) {
                    return changed;
                }
            } catch (NetlinkException e) {
                if (!e.is(Errno.ENOBUFS)) {
                    throw e;
                }
                // lost some: still a change, keep draining
            }
            changed = true;
            wait = 0;
        }
    }

    /** One notification as an event; null for kinds we do not decode. */
    static NetlinkEvent decode(NlMessage m) {
        return switch (m.type()) {
            case Rtm.NEWLINK, Rtm.DELLINK -> new NetlinkEvent.LinkChanged(Links.parse(m), m.type() == Rtm.DELLINK);
            case Rtm.NEWADDR, Rtm.DELADDR -> new NetlinkEvent.AddressChanged(Addresses.parse(m), m.type() == Rtm.DELADDR);
            case Rtm.NEWROUTE, Rtm.DELROUTE -> new NetlinkEvent.RouteChanged(Routes.parse(m), m.type() == Rtm.DELROUTE);
            case Rtm.NEWNEIGH, Rtm.DELNEIGH -> {
                boolean removed = m.type() == Rtm.DELNEIGH;
                Neighbour n = Neighbours.parse(m);
                if (n != null) {
                    yield new NetlinkEvent.NeighbourChanged(n, removed);
                }
                FdbEntry f = Fdb.parse(m);
                yield f == null ? null : new NetlinkEvent.FdbChanged(f, removed);
            }
            default -> null;
        };
    }

    @Override
    public void close() {
        socket.close();
    }
}
