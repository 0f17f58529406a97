package podnet.cli;

import picocli.CommandLine.Command;

/** {@code podnet pod}: pods on this node. */
@Command(name = "pod", description = "Pods: sandboxes with shared net/uts/ipc namespaces, attached with CNI.")
final class PodCommand extends CommandGroup {
}
