package podnet.linux.netlink;

import java.net.InetAddress;
import podnet.linux.inet.Cidr;

/**
 * A route (RTM_NEWROUTE). {@code destination} null means the default route; {@code oif} 0
 * means none; {@code mtu} 0 means unset; {@code flags} are rtm_flags ({@link #FLAG_ONLINK}).
 */
public record Route(int family, Cidr destination, InetAddress gateway, int oif, int table,
        int protocol, int scope, int type, int priority, InetAddress prefSrc, int mtu, int flags) {
    /** RTNH_F_ONLINK: the gateway is on the link even though no address there covers it. */
    public static final int FLAG_ONLINK = 4;

    /** A route without flags. */
    public Route(int family, Cidr destination, InetAddress gateway, int oif, int table,
            int protocol, int scope, int type, int priority, InetAddress prefSrc, int mtu) {
        this(family, destination, gateway, oif, table, protocol, scope, type, priority, prefSrc, mtu, 0);
    }

    public static final int TABLE_MAIN = 254, TABLE_LOCAL = 255;
    public static final int PROTO_KERNEL = 2, PROTO_BOOT = 3, PROTO_STATIC = 4;
    public static final int SCOPE_UNIVERSE = 0, SCOPE_LINK = 253, SCOPE_HOST = 254;
    public static final int TYPE_UNICAST = 1, TYPE_LOCAL = 2, TYPE_BROADCAST = 3;

    /** A unicast route in the main table via {@code gateway} (may be null) out of {@code oif}. */
    public static Route of(Cidr destination, InetAddress gateway, int oif) {
        int family = destination != null ? (destination.isIpv4() ? 2 : 10)
                : (gateway != null && gateway.getAddress().length == 16 ? 10 : 2);
        int scope = gateway == null && oif != 0 ? SCOPE_LINK : SCOPE_UNIVERSE;
        return new Route(family, destination, gateway, oif, TABLE_MAIN, PROTO_BOOT, scope,
                TYPE_UNICAST, 0, null, 0);
    }

    /**
     * {@code ip route replace DEST via GATEWAY dev OIF onlink}: flannel's VXLAN route, whose
     * gateway (the peer's {@code subnet.0}) sits on no address of the device.
     */
    public static Route onlink(Cidr destination, InetAddress gateway, int oif) {
        Route r = of(destination, gateway, oif);
        return new Route(r.family, r.destination, gateway, oif, TABLE_MAIN, PROTO_BOOT, SCOPE_UNIVERSE,
                TYPE_UNICAST, 0, null, 0, FLAG_ONLINK);
    }

    public boolean isOnlink() {
        return (flags & FLAG_ONLINK) != 0;
    }

    public boolean isDefault() {
        return destination == null || destination.prefixLength() == 0;
    }

    public String destinationText() {
        return isDefault() ? "default" : destination.network().toString();
    }
}
