package podnet.node.cri;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pod that runs on a CRI runtime, as podnet keeps it ({@code <state>/pods/<name>/cri.json}):
 * enough to find its sandbox and containers again (the runtime holds everything else).
 *
 * @param sandboxId null until RunPodSandbox answered
 */
public record CriPodRecord(String name, String socket, String sandboxId, String image, List<String> ports,
        Instant created, List<Container> containers) {

    /** A container of the pod: its name and the runtime's id for it. */
    public record Container(String name, String id) {}

    public CriPodRecord {
        ports = List.copyOf(ports);
        containers = List.copyOf(containers);
    }

    CriPodRecord withSandbox(String id) {
        return new CriPodRecord(name, socket, id, image, ports, created, containers);
    }

    CriPodRecord withContainer(Container c) {
        List<Container> all = new ArrayList<>(containers);
        all.add(c);
        return new CriPodRecord(name, socket, sandboxId, image, ports, created, all);
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("runtime", "cri");
        m.put("socket", socket);
        m.put("sandboxId", sandboxId);
        m.put("image", image);
        m.put("ports", ports);
        m.put("created", created.toString());
        m.put("containers", containers.stream().map(c -> Map.of("name", c.name(), "id", c.id())).toList());
        return m;
    }

    @SuppressWarnings("unchecked")
    static CriPodRecord fromJson(Map<String, Object> m) {
        List<Container> cs = new ArrayList<>();
        for (Object o : (List<Object>) m.getOrDefault("containers", List.of())) {
            Map<String, Object> c = (Map<String, Object>) o;
            cs.add(new Container((String) c.get("name"), (String) c.get("id")));
        }
        return new CriPodRecord((String) m.get("name"), (String) m.get("socket"), (String) m.get("sandboxId"),
                (String) m.get("image"), (List<String>) m.getOrDefault("ports", List.of()),
                Instant.parse((String) m.get("created")), cs);
    }
}
