package podnet.node.pod;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What to run: a pod's name and namespace, labels, containers (they share net, uts and ipc
 * namespaces) and declared container ports.
 */
public record PodSpec(String name, String namespace, Map<String, String> labels, List<ContainerSpec> containers,
        List<ContainerPort> ports) {
    public static final String DEFAULT_NAMESPACE = "default";
    /** DNS-1123 label; "podnet-" + name must also fit a netns file name. */
    private static final String NAME = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";

    public PodSpec {
        checkName(name, "pod");
        namespace = namespace == null ? DEFAULT_NAMESPACE : namespace;
        checkName(namespace, "namespace");
        ports = ports == null ? List.of() : List.copyOf(ports);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        if (containers == null || containers.isEmpty()) {
            throw new PodException("pod " + name + " has no containers", "give a command, or spec.containers in the manifest");
        }
        Set<String> seen = new HashSet<>();
        for (ContainerSpec c : containers) {
            if (!seen.add(c.name())) {
                throw new PodException("pod " + name + " has two containers named " + c.name(),
                        "give each container its own name");
            }
        }
        containers = List.copyOf(containers);
    }

    public PodSpec(String name, Map<String, String> labels, List<ContainerSpec> containers) {
        this(name, DEFAULT_NAMESPACE, labels, containers, List.of());
    }

    /** The same pod in namespace {@code ns} with more labels and ports (the command line's). */
    public PodSpec with(String ns, Map<String, String> moreLabels, List<ContainerPort> morePorts) {
        Map<String, String> l = new java.util.LinkedHashMap<>(labels);
        l.putAll(moreLabels);
        List<ContainerPort> p = new java.util.ArrayList<>(ports);
        p.addAll(morePorts);
        return new PodSpec(name, ns == null ? namespace : ns, l, containers, p);
    }

    /** The pod's node-wide id: its name in the default namespace, else NAME.NAMESPACE (names hold no dots). */
    public String id() {
        return id(namespace, name);
    }

    public static String id(String namespace, String name) {
        return namespace == null || namespace.equals(DEFAULT_NAMESPACE) ? name : name + "." + namespace;
    }

    /** {@code podnet pod run NAME -- CMD...}: one container named like the pod. */
    public static PodSpec single(String name, List<String> command) {
        return new PodSpec(name, Map.of(), List.of(new ContainerSpec(name, command)));
    }

    static void checkName(String name, String what) {
        if (name == null || !name.matches(NAME)) {
            throw new PodException("invalid " + what + " name \"" + name + "\"",
                    "use lower-case letters, digits and '-', at most 63 characters (a DNS label, as Kubernetes does)");
        }
    }
}
