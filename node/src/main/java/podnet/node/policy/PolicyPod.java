package podnet.node.policy;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/** What policies see of a pod: where it is, its labels, its address and its declared container ports. */
public record PolicyPod(String namespace, String name, Map<String, String> labels, InetAddress ip,
        List<NamedPort> ports) {

    /** A container port with a name, which a policy can refer to instead of its number. */
    public record NamedPort(String name, int number, String protocol) {}

    public PolicyPod {
        labels = Map.copyOf(labels);
        ports = List.copyOf(ports);
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
