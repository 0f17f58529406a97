package podnet.node.pod;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/** A pod as {@code kubectl get pod -o wide} shows it, computed from its record and /proc. */
public record PodStatus(String name, int ready, int total, String status, int restarts, Duration age,
        String ip, String node, List<Container> containers) {

    /** One container: running, or exited with a code (null if it vanished without one). */
    public record Container(String name, long pid, boolean running, Integer exitCode) {}

    static PodStatus of(PodRecord r, java.nio.file.Path podDir, boolean sandboxExists, String node, Instant now) {
        List<Container> cs = r.containers().stream().map(c -> {
            boolean running = Containers.isRunning(c);
            OptionalInt code = running ? OptionalInt.empty() : Containers.exitCode(podDir, c);
            return new Container(c.name(), c.pid(), running, code.isPresent() ? code.getAsInt() : null);
        }).toList();
        int ready = (int) cs.stream().filter(Container::running).count();
        String status;
        if (!sandboxExists) {
            status = "Lost"; // its namespaces are gone: only `pod rm` makes sense
        } else if (cs.isEmpty()) {
            status = "Pending";
        } else if (ready > 0) {
            status = "Running";
        } else if (cs.stream().allMatch(c -> c.exitCode() != null && c.exitCode() == 0)) {
            status = "Completed";
        } else {
            status = "Error";
        }
        return new PodStatus(PodSpec.id(r.namespace(), r.name()).equals(r.name()) ? r.name() : r.namespace() + "/" + r.name(), ready, cs.size(), status, 0, Duration.between(r.created(), now),
                r.ip(), node, cs);
    }

    /** kubectl's short age: 42s, 5m, 3h, 2d. */
    public String ageText() {
        long s = Math.max(0, age.toSeconds());
        if (s < 120) {
            return s + "s";
        }
        if (s < 2 * 3600) {
            return s / 60 + "m";
        }
        if (s < 48 * 3600) {
            return s / 3600 + "h";
        }
        return s / 86400 + "d";
    }

    /** The pod IP without its prefix length, as kubectl shows it. */
    public String ipText() {
        return ip == null ? "<none>" : ip.contains("/") ? ip.substring(0, ip.indexOf('/')) : ip;
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("ready", ready + "/" + total);
        m.put("status", status);
        m.put("restarts", restarts);
        m.put("ageSeconds", age.toSeconds());
        m.put("ip", ip == null ? null : ipText());
        m.put("node", node);
        m.put("containers", containers.stream().map(c -> {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("name", c.name());
            cm.put("pid", c.pid());
            cm.put("running", c.running());
            cm.put("exitCode", c.exitCode());
            return cm;
        }).toList());
        return m;
    }
}
