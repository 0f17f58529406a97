package podnet.linux.sys;

/**
 * socket(7) constants: address families (also the {@code family} of rtnetlink objects), socket
 * types, option levels and flags. The calls themselves are internal ({@code sys.ffm.SocketCalls}).
 */
public final class Sockets {
    private Sockets() {}

    public static final int AF_UNIX = 1, AF_INET = 2, AF_BRIDGE = 7, AF_INET6 = 10,
            AF_NETLINK = 16, AF_PACKET = 17;
    public static final int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3,
            SOCK_CLOEXEC = 02000000;
    public static final int SOL_SOCKET = 1, SO_RCVBUF = 8, SO_SNDBUF = 7, SO_RCVTIMEO = 20,
            SO_ATTACH_FILTER = 26, SO_PEERCRED = 17;
    public static final int MSG_PEEK = 2, MSG_TRUNC = 0x20, MSG_DONTWAIT = 0x40;
    public static final int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;
}
