package podnet.linux.netlink;

import java.net.InetAddress;

/**
 * A VXLAN device's tunnel settings (IFLA_INFO_DATA of kind "vxlan"), as given to
 * {@link Links#addVxlan(String, Vxlan, int, podnet.linux.inet.MacAddress)} and as read back by
 * {@link Links#vxlan(String)}. flannel's {@code flannel.1} is VNI 1, port 8472, the underlay
 * address as {@code local}, the underlay link as parent, learning off.
 *
 * @param parentIndex the underlay link (IFLA_VXLAN_LINK), 0 for none
 * @param local       the source address of the outer packets, null for none
 * @param learning    whether the device learns remote MACs from received packets
 */
public record Vxlan(int vni, int port, int parentIndex, InetAddress local, boolean learning) {
    /** flannel's UDP port (the kernel's historical default; IANA's is 4789). */
    public static final int FLANNEL_PORT = 8472;
    /** Outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8: flannel's MTU is the underlay's minus this. */
    public static final int OVERHEAD_V4 = 50;

    public Vxlan {
        if (vni < 0 || vni > 0xffffff) {
            throw new IllegalArgumentException("VNI " + vni + " out of range 0-16777215");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("UDP port " + port + " out of range");
        }
    }
}
