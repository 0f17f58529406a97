package podnet.node.cluster;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import podnet.linux.ns.Netns;

/**
 * Everything {@code podnet node run} was told.
 *
 * @param nodeNetns  the node whose network the agent acts for ({@link Netns#CURRENT}: this one)
 * @param iface      the underlay link, null: the default route's
 * @param publicIp   the address peers reach this node at, null: the underlay's
 * @param cniConfDir where else to write the node's conflist (a runtime's /etc/cni/net.d), null: only the state dir
 */
public record AgentOptions(String nodeName, Netns nodeNetns, Path stateDir, NetworkConfig network, String iface,
        InetAddress publicIp, RegistrySpec registry, Path cniConfDir, boolean ipMasq, Duration leaseTtl) {
    /** flannel's VNI and port. */
    public static final int VNI = 1;

    public AgentOptions {
        if (nodeName == null || nodeName.isBlank()) {
            throw new IllegalArgumentException("--node-name: give the node a name");
        }
        if (leaseTtl.toSeconds() < 10) {
            throw new IllegalArgumentException("--lease-ttl " + leaseTtl.toSeconds() + "s: at least 10 s");
        }
    }
}
