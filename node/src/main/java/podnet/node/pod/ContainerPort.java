package podnet.node.pod;

/** A declared container port ({@code ports:} of a container): policies can name it instead of its number. */
public record ContainerPort(String name, int containerPort, String protocol) {
    public ContainerPort {
        if (containerPort < 1 || containerPort > 65535) {
            throw new PodException("container port " + containerPort + " is out of range", "use 1..65535");
        }
        if (!protocol.equals("TCP") && !protocol.equals("UDP")) {
            throw new PodException("container port protocol " + protocol + " is not supported", "use TCP or UDP");
        }
        if (name != null && (name.length() > 15 || !name.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?") || !name.matches(".*[a-z].*"))) {
            throw new PodException("invalid port name \"" + name + "\"",
                    "an IANA service name: at most 15 lower-case letters, digits and '-', at least one letter");
        }
    }

    /** {@code --port NAME=NUM[/PROTO]} (protocol TCP when left out). */
    public static ContainerPort parse(String text) {
        int eq = text.indexOf('=');
        String spec = eq < 0 ? text : text.substring(eq + 1);
        String name = eq < 0 ? null : text.substring(0, eq);
        int slash = spec.indexOf('/');
        String num = slash < 0 ? spec : spec.substring(0, slash);
        String proto = slash < 0 ? "TCP" : spec.substring(slash + 1).toUpperCase();
        try {
            return new ContainerPort(name, Integer.parseInt(num), proto);
        } catch (NumberFormatException e) {
            throw new PodException("invalid port \"" + text + "\"", "give NAME=NUMBER/PROTOCOL, e.g. http=80/TCP");
        }
    }

    @Override
    public String toString() {
        return (name == null ? "" : name + "=") + containerPort + "/" + protocol;
    }
}
