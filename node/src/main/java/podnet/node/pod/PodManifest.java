package podnet.node.pod;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of a Kubernetes Pod manifest podnet understands: metadata.name, metadata.labels and
 * spec.containers[].name/command/args. Images and other fields are ignored: containers run
 * programs from the host's filesystem.
 */
public final class PodManifest {
    private PodManifest() {}

    public static PodSpec parse(String yaml) {
        Map<String, Object> doc = map(ManifestYaml.parse(yaml), "the document");
        Object kind = doc.get("kind");
        if (kind != null && !"Pod".equals(kind)) {
            throw new PodException("manifest kind is " + kind + ", not Pod", "podnet runs Pod manifests only");
        }
        Map<String, Object> metadata = map(doc.get("metadata"), "metadata");
        Object name = metadata.get("name");
        if (!(name instanceof String n)) {
            throw new PodException("manifest has no metadata.name", "add metadata:\\n  name: my-pod");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (metadata.get("labels") != null) {
            map(metadata.get("labels"), "metadata.labels").forEach((k, v) -> labels.put(k, String.valueOf(v)));
        }
        Map<String, Object> spec = map(doc.get("spec"), "spec");
        Object cs = spec.get("containers");
        if (!(cs instanceof List<?> list) || list.isEmpty()) {
            throw new PodException("manifest has no spec.containers", "add spec.containers with a name and command each");
        }
        List<ContainerSpec> containers = new ArrayList<>();
        for (Object o : list) {
            Map<String, Object> c = map(o, "a container");
            List<String> command = new ArrayList<>(strings(c.get("command"), "command"));
            command.addAll(strings(c.get("args"), "args"));
            containers.add(new ContainerSpec((String) c.get("name"), command));
        }
        return new PodSpec(n, labels, containers);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String what) {
        if (o instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new PodException("manifest: " + what + " must be a mapping", "see a Kubernetes Pod manifest for the layout");
    }

    private static List<String> strings(Object o, String what) {
        if (o == null) {
            return List.of();
        }
        if (o instanceof List<?> l && l.stream().allMatch(x -> x instanceof String)) {
            return l.stream().map(String.class::cast).toList();
        }
        throw new PodException("manifest: " + what + " must be a list of strings", "e.g. command: [\"sleep\", \"3600\"]");
    }
}
