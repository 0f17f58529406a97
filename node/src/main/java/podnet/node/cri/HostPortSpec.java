package podnet.node.cri;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import podnet.cri.api.PortMapping;
import podnet.cri.api.Protocol;
import podnet.node.pod.PodException;

/** {@code -p HOSTPORT:PORT[/tcp|udp]}: a Kubernetes hostPort, as CRI's PortMapping carries it. */
public record HostPortSpec(int hostPort, int containerPort, String protocol) {
    private static final Pattern FORM = Pattern.compile("(\\d{1,5}):(\\d{1,5})(?:/(tcp|udp))?");

    public HostPortSpec {
        if (hostPort < 1 || hostPort > 65535 || containerPort < 1 || containerPort > 65535) {
            throw new PodException("port mapping " + hostPort + ":" + containerPort + ": ports are 1-65535",
                    "e.g. -p 8080:80 or -p 5353:53/udp");
        }
    }

    public static HostPortSpec parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.strip().toLowerCase(java.util.Locale.ROOT));
        if (!m.matches()) {
            throw new PodException("port mapping \"" + text + "\" is not HOSTPORT:PORT[/tcp|udp]",
                    "e.g. -p 8080:80 or -p 5353:53/udp");
        }
        return new HostPortSpec(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? "tcp" : m.group(3));
    }

    PortMapping toCri() {
        return PortMapping.newBuilder().setHostPort(hostPort).setContainerPort(containerPort)
                .setProtocol(protocol.equals("udp") ? Protocol.UDP : Protocol.TCP).build();
    }

    @Override
    public String toString() {
        return hostPort + ":" + containerPort + "/" + protocol;
    }
}
