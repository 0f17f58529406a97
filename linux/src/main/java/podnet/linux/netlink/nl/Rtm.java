package podnet.linux.netlink.nl;

/** rtnetlink message types and the interface flags (linux/rtnetlink.h, linux/if.h). */
public final class Rtm {
    private Rtm() {}

    public static final int NEWLINK = 16, DELLINK = 17, GETLINK = 18, SETLINK = 19,
            NEWADDR = 20, DELADDR = 21, GETADDR = 22,
            NEWROUTE = 24, DELROUTE = 25, GETROUTE = 26,
            NEWNEIGH = 28, DELNEIGH = 29, GETNEIGH = 30,
            NEWNSID = 88, DELNSID = 89, GETNSID = 90;

    public static final int IFF_UP = 0x1, IFF_BROADCAST = 0x2, IFF_LOOPBACK = 0x8,
            IFF_POINTOPOINT = 0x10, IFF_RUNNING = 0x40, IFF_NOARP = 0x80, IFF_PROMISC = 0x100,
            IFF_MULTICAST = 0x1000, IFF_LOWER_UP = 0x10000, IFF_DORMANT = 0x20000;

    /** The size of struct ifinfomsg. */
    public static final int IFINFOMSG_LEN = 16;

    /** Starts a request with a struct ifinfomsg header. */
    public static NlRequest ifinfomsg(int type, int flags, int family, int index, int ifFlags, int change) {
        return new NlRequest(type, flags).u8(family).u8(0).u16(0).u32(index).u32(ifFlags).u32(change);
    }
}
