package podnet.cni.agent;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import podnet.cni.spec.CniError;
import podnet.cni.spec.Json;
import podnet.linux.inet.Cidr;

/**
 * What a CNI plugin tells the node's agent: pod {@code namespace/name} (sandbox
 * {@code containerId}) got {@code ip} ({@link Op#ADD}) or is going ({@link Op#DEL}, the IP when
 * known, else null). One line of JSON on the agent's socket:
 * {@code {"v":1,"op":"ADD","namespace":"shop","name":"web","containerId":"…","ip":"10.244.7.5"}}.
 */
public record PodEvent(Op op, String namespace, String name, String containerId, InetAddress ip) {
    public static final int VERSION = 1;
    /** A request line is a few hundred bytes; anything longer is not ours. */
    static final int MAX_LINE = 4096;

    public enum Op { ADD, DEL }

    public PodEvent {
        if (op == null || blank(namespace) || blank(name) || blank(containerId)) {
            throw new IllegalArgumentException("a pod event needs an op, a namespace, a name and a container id");
        }
        if (op == Op.ADD && ip == null) {
            throw new IllegalArgumentException("an ADD names the pod's address");
        }
    }

    public String key() {
        return namespace + "/" + name;
    }

    public String line() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", VERSION);
        m.put("op", op.name());
        m.put("namespace", namespace);
        m.put("name", name);
        m.put("containerId", containerId);
        if (ip != null) {
            m.put("ip", ip.getHostAddress());
        }
        return Json.writeString(m) + "\n";
    }

    /** The request on one line (without its newline); IllegalArgumentException when it is not one. */
    public static PodEvent parse(String line) {
        Map<String, Object> m;
        try {
            m = Json.parseObject(line.getBytes(StandardCharsets.UTF_8), "pod event");
            if (Json.integer(m, "v", 0) != VERSION) {
                throw new IllegalArgumentException("pod event: version " + m.get("v") + ", this agent speaks " + VERSION);
            }
            String op = Json.str(m, "op", "");
            if (!op.equals("ADD") && !op.equals("DEL")) {
                throw new IllegalArgumentException("pod event: op \"" + op + "\" (ADD or DEL)");
            }
            String ip = Json.str(m, "ip", null);
            return new PodEvent(Op.valueOf(op), Json.str(m, "namespace", null), Json.str(m, "name", null),
                    Json.str(m, "containerId", null), ip == null ? null : Cidr.parseAddress(ip));
        } catch (CniError e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
