package podnet.node.policy;

/**
 * One entry of {@code ports}: a protocol (TCP or UDP) and optionally a port — a number (with
 * {@code endPort}, a range) or the name of a container port of the destination pod.
 */
public record PolicyPort(String protocol, Integer port, String portName, Integer endPort) {
    public int protocolNumber() {
        return protocolNumber(protocol);
    }

    public static int protocolNumber(String protocol) {
        return switch (protocol) {
            case "TCP" -> 6;
            case "UDP" -> 17;
            default -> throw new IllegalArgumentException("protocol " + protocol);
        };
    }

    /** The last port of the range: endPort, or the port itself. */
    public int lastPort() {
        return endPort != null ? endPort : port;
    }

    @Override
    public String toString() {
        String p = portName != null ? portName : port == null ? "*" : endPort == null ? port.toString() : port + "-" + endPort;
        return p + "/" + protocol;
    }
}
