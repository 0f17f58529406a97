package podnet.node.cri;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import podnet.node.pod.ManifestYaml;
import podnet.node.pod.PodException;

/**
 * What a Pod manifest says about running on a CRI runtime, beside what
 * {@link podnet.node.pod.PodManifest} reads: {@code spec.runtime} ({@code process}, the
 * default, or {@code cri}), the containers' {@code image} (one for the pod) and their
 * {@code ports[].hostPort/containerPort/protocol}.
 */
public record CriManifest(String runtime, String image, List<HostPortSpec> ports) {

    public boolean cri() {
        return runtime.equals("cri");
    }

    @SuppressWarnings("unchecked")
    public static CriManifest parse(String yaml) {
        Object doc = ManifestYaml.parse(yaml);
        Map<String, Object> spec = doc instanceof Map<?, ?> d && d.get("spec") instanceof Map<?, ?> s
                ? (Map<String, Object>) s : Map.of();
        String runtime = spec.get("runtime") == null ? "process" : String.valueOf(spec.get("runtime"));
        if (!runtime.equals("process") && !runtime.equals("cri")) {
            throw new PodException("manifest: spec.runtime is \"" + runtime + "\"", "use process (the default) or cri");
        }
        String image = null;
        List<HostPortSpec> ports = new ArrayList<>();
        if (spec.get("containers") instanceof List<?> cs) {
            for (Object o : cs) {
                if (!(o instanceof Map<?, ?> c)) {
                    continue;
                }
                Object img = c.get("image");
                if (img != null) {
                    if (image != null && !image.equals(img)) {
                        throw new PodException("manifest: containers use different images (" + image + ", " + img + ")",
                                "podnet runs one image per pod");
                    }
                    image = String.valueOf(img);
                }
                if (c.get("ports") instanceof List<?> ps) {
                    for (Object p : ps) {
                        ports.addAll(port((Map<String, Object>) p));
                    }
                }
            }
        }
        return new CriManifest(runtime, image, ports);
    }

    /** A containerPort without hostPort is documentation only (no mapping), as in Kubernetes. */
    private static List<HostPortSpec> port(Map<String, Object> p) {
        if (p.get("hostPort") == null) {
            return List.of();
        }
        String proto = p.get("protocol") == null ? "tcp" : String.valueOf(p.get("protocol")).toLowerCase(java.util.Locale.ROOT);
        return List.of(HostPortSpec.parse(p.get("hostPort") + ":" + p.get("containerPort") + "/" + proto));
    }
}
