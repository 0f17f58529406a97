package podnet.node.pod;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A started container as the pod record keeps it. {@code pid} leads its own session and
 * process group; {@code startTicks} (field 22 of /proc/PID/stat) tells a reused pid apart.
 */
public record ContainerRecord(String name, List<String> command, long pid, long startTicks, Instant started) {

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("command", command);
        m.put("pid", pid);
        m.put("startTicks", startTicks);
        m.put("started", started.toString());
        return m;
    }

    @SuppressWarnings("unchecked")
    static ContainerRecord fromJson(Map<String, Object> m) {
        return new ContainerRecord((String) m.get("name"), (List<String>) m.get("command"),
                ((Number) m.get("pid")).longValue(), ((Number) m.get("startTicks")).longValue(),
                Instant.parse((String) m.get("started")));
    }
}
