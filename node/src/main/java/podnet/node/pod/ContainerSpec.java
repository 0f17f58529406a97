package podnet.node.pod;

import java.util.List;

/** One container of a pod: its name and the command line it runs (Kubernetes command + args). */
public record ContainerSpec(String name, List<String> command) {
    public ContainerSpec {
        PodSpec.checkName(name, "container");
        if (command == null || command.isEmpty()) {
            throw new PodException("container " + name + " has no command",
                    "podnet runs programs from the host's filesystem, not images: give command (and args)");
        }
        command = List.copyOf(command);
    }
}
