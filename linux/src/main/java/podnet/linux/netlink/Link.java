package podnet.linux.netlink;

import podnet.linux.inet.MacAddress;
import podnet.linux.netlink.nl.Rtm;

/**
 * A network interface as the kernel reports it (RTM_NEWLINK).
 *
 * @param linkIndex   IFLA_LINK: for a veth, its peer's ifindex (in the peer's namespace)
 * @param linkNetnsId IFLA_LINK_NETNSID: the nsid, local to this namespace, of the namespace the
 *                    peer lives in; null when the peer is in this namespace
 * @param slaveKind   the kind of the master this link is a port of, e.g. "bridge", or null
 * @param port        bridge-port settings when {@code slaveKind} is "bridge", else null
 * @param bridge      bridge settings when {@code kind} is "bridge", else null
 * @param inet        its per-device IPv4/IPv6 settings (the /proc/sys/net/ipv{4,6}/conf/NAME values)
 */
public record Link(int index, String name, String kind, int flags, int operState, int mtu,
        MacAddress mac, int masterIndex, int linkIndex, Integer linkNetnsId, int promiscuity,
        String slaveKind, LinkStats stats, BridgePort port, BridgeInfo bridge, InetConf inet) {

    public static final int OPER_UNKNOWN = 0, OPER_NOTPRESENT = 1, OPER_DOWN = 2,
            OPER_LOWERLAYERDOWN = 3, OPER_TESTING = 4, OPER_DORMANT = 5, OPER_UP = 6;
    private static final String[] OPER_NAMES =
            {"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"};

    /** Administratively up (IFF_UP). */
    public boolean isUp() {
        return (flags & Rtm.IFF_UP) != 0;
    }

    /** Carrier present (IFF_LOWER_UP). */
    public boolean isLowerUp() {
        return (flags & Rtm.IFF_LOWER_UP) != 0;
    }

    public boolean isPromisc() {
        return (flags & Rtm.IFF_PROMISC) != 0;
    }

    public boolean isVeth() {
        return "veth".equals(kind);
    }

    public boolean isBridge() {
        return "bridge".equals(kind);
    }

    public boolean hasMaster() {
        return masterIndex != 0;
    }

    /** The operational state as {@code ip link} prints it: UP, DOWN, LOWERLAYERDOWN, UNKNOWN. */
    public String operStateName() {
        return operState >= 0 && operState < OPER_NAMES.length ? OPER_NAMES[operState] : "UNKNOWN";
    }
}
