package podnet.linux.nftables;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * One port mapping of a pod, as CNI's {@code portMappings} capability carries a Kubernetes
 * {@code hostPort}: connections to {@code hostPort} on the node (on {@code hostIp} only, when
 * given) go to {@code containerPort} on the pod.
 *
 * @param protocol "tcp" or "udp"
 * @param hostIp   null: any of the node's own addresses
 */
public record HostPort(int hostPort, int containerPort, String protocol, InetAddress hostIp) {
    public HostPort {
        if (hostPort < 1 || hostPort > 65535 || containerPort < 1 || containerPort > 65535) {
            throw new IllegalArgumentException("port mapping " + hostPort + ":" + containerPort
                    + ": ports are 1-65535");
        }
        protocol = protocol == null ? "tcp" : protocol.toLowerCase(java.util.Locale.ROOT);
        if (!protocol.equals("tcp") && !protocol.equals("udp")) {
            throw new IllegalArgumentException("port mapping " + hostPort + ":" + containerPort
                    + ": protocol " + protocol + " (tcp or udp)");
        }
        if (hostIp != null && hostIp.isAnyLocalAddress()) {
            hostIp = null; // 0.0.0.0 / :: mean every address, as no hostIP does
        }
    }

    /** IP protocol number for {@code meta l4proto}. */
    int l4proto() {
        return protocol.equals("tcp") ? 6 : 17;
    }

    /** Whether this mapping applies to a pod address of {@code podIp}'s family. */
    boolean appliesTo(InetAddress podIp) {
        return hostIp == null || (hostIp instanceof Inet4Address) == (podIp instanceof Inet4Address);
    }

    @Override
    public String toString() {
        return (hostIp == null ? "" : cidrText(hostIp) + ":") + hostPort + "->" + containerPort + "/" + protocol;
    }

    private static String cidrText(InetAddress a) {
        return podnet.linux.inet.Cidr.text(a);
    }
}
