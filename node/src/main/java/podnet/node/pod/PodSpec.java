package podnet.node.pod;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What to run: a pod's name, labels and containers (they share net, uts and ipc namespaces). */
public record PodSpec(String name, Map<String, String> labels, List<ContainerSpec> containers) {
    /** DNS-1123 label; "podnet-" + name must also fit a netns file name. */
    private static final String NAME = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";

    public PodSpec {
        checkName(name, "pod");
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
