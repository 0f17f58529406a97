package podnet.linux.netlink;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.OptionalInt;
import podnet.linux.netlink.nl.NlAttrs;
import podnet.linux.sys.Sockets;

/**
 * A link's per-device IP settings as RTM_NEWLINK reports them (IFLA_AF_SPEC: AF_INET's
 * IFLA_INET_CONF, AF_INET6's IFLA_INET6_CONF), i.e. what {@code /proc/sys/net/ipv4/conf/DEV/*}
 * and {@code /proc/sys/net/ipv6/conf/DEV/*} hold, read from a message we get anyway instead of
 * through a /proc/sys path walk (which grows with the node's number of network namespaces).
 */
public final class InetConf {
    /** IPV4_DEVCONF_* ids (linux/ip.h): an array entry id - 1, and the attribute type when setting. */
    public static final int IPV4_FORWARDING = 1, IPV4_ARP_NOTIFY = 22;
    /** DEVCONF_* indexes (linux/ipv6.h). */
    public static final int IPV6_FORWARDING = 0, IPV6_ACCEPT_RA = 3, IPV6_DISABLE_IPV6 = 26, IPV6_ACCEPT_DAD = 27;

    static final int IFLA_INET_CONF = 1, IFLA_INET6_CONF = 2;
    static final InetConf NONE = new InetConf(new int[0], new int[0]);

    private final int[] ipv4;
    private final int[] ipv6;

    private InetConf(int[] ipv4, int[] ipv6) {
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
    }

    /** From a link's IFLA_AF_SPEC; a family the kernel did not report (IPv6 off) has no values. */
    static InetConf parse(NlAttrs afSpec) {
        int[] v4 = values(afSpec.nested(Sockets.AF_INET).get(IFLA_INET_CONF));
        int[] v6 = values(afSpec.nested(Sockets.AF_INET6).get(IFLA_INET6_CONF));
        return v4.length == 0 && v6.length == 0 ? NONE : new InetConf(v4, v6);
    }

    private static int[] values(ByteBuffer b) {
        if (b == null) {
            return new int[0];
        }
        int[] out = new int[b.remaining() / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getInt(i * 4);
        }
        return out;
    }

    /** {@code net.ipv4.conf.DEV.<key>} by its IPV4_DEVCONF_* id; empty if not reported. */
    public OptionalInt ipv4(int id) {
        return id >= 1 && id <= ipv4.length ? OptionalInt.of(ipv4[id - 1]) : OptionalInt.empty();
    }

    /** {@code net.ipv6.conf.DEV.<key>} by its DEVCONF_* index; empty if not reported (no IPv6). */
    public OptionalInt ipv6(int index) {
        return index >= 0 && index < ipv6.length ? OptionalInt.of(ipv6[index]) : OptionalInt.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InetConf c && Arrays.equals(ipv4, c.ipv4) && Arrays.equals(ipv6, c.ipv6);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ipv4) + Arrays.hashCode(ipv6);
    }

    @Override
    public String toString() {
        return "InetConf[ipv4=" + Arrays.toString(ipv4) + ", ipv6=" + Arrays.toString(ipv6) + "]";
    }
}
