package podnet.linux.netlink;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;
import podnet.linux.sys.FileDescriptor;
import podnet.linux.sys.Poll;
import podnet.linux.sys.Sockets;
import podnet.linux.sys.SysException;
import podnet.linux.sys.ffm.SocketCalls;

/**
 * Tells that links, neighbours/FDB entries or routes changed in a namespace: an rtnetlink
 * socket bound to multicast groups. It only says "something changed" (a reconciler then reads
 * the state it cares about); the messages are drained, not parsed, and an overrun (ENOBUFS:
 * changes were lost) counts as a change too. Minimal on purpose — the observe work brings full
 * event decoding.
 */
public final class RtnlWatch implements AutoCloseable {
    /** Multicast group bits (1 << (RTNLGRP_x - 1)). */
    public static final int LINK = 1, NEIGH = 1 << 2, IPV4_IFADDR = 1 << 4, IPV4_ROUTE = 1 << 6,
            IPV6_ROUTE = 1 << 10;
    private static final int NETLINK_ROUTE = 0, BUFFER = 64 * 1024, RCVBUF = 1 << 20;

    private final FileDescriptor fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(BUFFER, 8);

    private RtnlWatch(FileDescriptor fd) {
        this.fd = fd;
    }

    /** Subscribes to {@code groups} (e.g. {@code LINK | NEIGH | IPV4_ROUTE}) in {@code netns}. */
    public static RtnlWatch open(Netns netns, int groups) {
        int fd = netns.call(() -> SocketCalls.socket(Sockets.AF_NETLINK, Sockets.SOCK_RAW, NETLINK_ROUTE));
        FileDescriptor owned = FileDescriptor.adopt(fd);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(JAVA_INT);
            size.set(JAVA_INT, 0, RCVBUF);
            SocketCalls.setsockopt(fd, Sockets.SOL_SOCKET, Sockets.SO_RCVBUF, size);
            MemorySegment addr = a.allocate(12, 4); // sockaddr_nl: family, pad, pid 0 (kernel picks), groups
            addr.set(JAVA_SHORT, 0, (short) Sockets.AF_NETLINK);
            addr.set(JAVA_INT, 8, groups);
            SocketCalls.bind(fd, addr);
            return new RtnlWatch(owned);
        } catch (RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for a change; true when one (or an overrun) arrived.
     * Everything queued is consumed, so a burst of changes answers true once.
     */
    public boolean await(int timeoutMillis) {
        int revents = Poll.poll(fd.fd(), Poll.POLLIN, timeoutMillis);
        if (revents == 0) {
            return false;
        }
        while (true) {
            try {
                SocketCalls.recvfrom(fd.fd(), buffer, Sockets.MSG_DONTWAIT);
            } catch (SysException e) {
                if (e.is(Errno.EAGAIN)) {
                    return true;
                }
                if (e.is(Errno.ENOBUFS)) {
                    continue; // lost some: still a change, keep draining
                }
                throw e;
            }
        }
    }

    @Override
    public void close() {
        fd.close();
        arena.close();
    }
}
