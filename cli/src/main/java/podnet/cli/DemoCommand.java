package podnet.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import podnet.node.cri.PrivateContainerd;

/**
 * {@code podnet demo}: the article, start to finish, on the real kernel. By default everything
 * happens in a throwaway node namespace ({@value Demo#NODE}); nothing in the root namespace is
 * touched unless {@code --host} asks for it.
 */
@Command(name = "demo", description = "Walk through same-node pod networking for real: namespaces, a veth pair, "
        + "the cni0 bridge, two pods, a ping, the packets on the bridge, and the picture.",
        subcommands = DemoCommand.ClusterDemoCommand.class)
final class DemoCommand extends CliCommand {
    @Option(names = "--keep", description = "Leave the node, pods and namespaces in place (then: podnet demo --clean).")
    boolean keep;

    @Option(names = "--clean", description = "Remove what a kept demo left, and exit.")
    boolean clean;

    @Option(names = "--host", description = "Use the real host as the node (changes the root network namespace!).")
    boolean host;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "/tmp",
            description = "Where the topology picture is written (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--cri", description = "The pods on a private containerd's CRI: real pause and busybox containers "
            + "(needs containerd and runc; the default runs host programs and needs neither).")
    boolean cri;

    DemoCommand(Cli cli) {
        super(cli);
    }

    @Override
    public Integer call() {
        if (cri && host) {
            throw new CliException("--cri and --host do not go together", "the --cri demo's containerd runs in its own node namespace");
        }
        if (cri && !clean) {
            List<String> missing = PrivateContainerd.missingPrograms(cli.env.getOrDefault("PATH", System.getenv("PATH")));
            if (!missing.isEmpty()) {
                throw new CliException("containerd is not installed (no " + String.join(", ", missing) + " on PATH);"
                        + " `podnet demo --cri` runs its pods on a private containerd", "apt-get install containerd runc");
            }
        }
        Demo demo = new Demo(cli, host, out, cri);
        if (clean) {
            demo.clean();
            cli.out.println("podnet demo: cleaned up.");
            return 0;
        }
        return demo.run(keep) ? 0 : 1;
    }

    /** {@code podnet demo cluster}: three nodes, etcd, the agents, a pod per node, a ping across, the trace, the picture. */
    @Command(name = "cluster", description = "Beyond one node: three node namespaces on a fabric, a private etcd, podnet's "
            + "agent on each (vxlan), a pod per node, a ping from node 1 to node 3 with the encapsulated packets, the trace, the picture.")
    static final class ClusterDemoCommand extends CliCommand {
        @Option(names = "--keep", description = "Leave it all running (then: podnet demo cluster --clean).")
        boolean keep;

        @Option(names = "--clean", description = "Remove what a kept cluster demo left, and exit.")
        boolean clean;

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "/tmp", description = "Where the pictures go (default: ${DEFAULT-VALUE}).")
        Path out;

        ClusterDemoCommand(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            ClusterDemo demo = new ClusterDemo(cli, out);
            if (clean) {
                demo.clean();
                cli.out.println("podnet demo cluster: cleaned up.");
                return 0;
            }
            return demo.run(keep) ? 0 : 1;
        }
    }
}
