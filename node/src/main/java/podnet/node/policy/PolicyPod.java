package podnet.node.policy;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * What policies see of a pod: where it is, its labels, its address and its declared container
 * ports. A {@code remote} pod runs on another node: here it is only ever a peer (its own policies
 * are enforced on its node: egress where traffic leaves, ingress where it arrives).
 */
public record PolicyPod(String namespace, String name, Map<String, String> labels, InetAddress ip,
        List<NamedPort> ports, boolean remote) {

    /** A container port with a name, which a policy can refer to instead of its number. */
    public record NamedPort(String name, int number, String protocol) {}

    public PolicyPod {
        labels = Map.copyOf(labels);
        ports = List.copyOf(ports);
    }

    /** A pod of this node. */
    public PolicyPod(String namespace, String name, Map<String, String> labels, InetAddress ip, List<NamedPort> ports) {
        this(namespace, name, labels, ip, ports, false);
    }

    public String key() {
        return namespace + "/" + name;
    }

    /** The number of the named port for {@code protocol}, or -1. */
    public int port(String portName, String protocol) {
        for (NamedPort p : ports) {
            if (p.name().equals(portName) && p.protocol().equals(protocol)) {
                return p.number();
            }
        }
        return -1;
    }
}
