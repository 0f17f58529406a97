package podnet.cli;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import podnet.linux.inet.Cidr;
import podnet.linux.ns.Netns;
import podnet.linux.sys.StopSignals;
import podnet.node.cluster.AgentOptions;
import podnet.node.cluster.BackendType;
import podnet.node.cluster.ClusterNode;
import podnet.node.cluster.EtcdRegistry;
import podnet.node.cluster.NetworkConfig;
import podnet.node.cluster.NodeAgent;
import podnet.node.cluster.NodeInfo;
import podnet.node.cluster.RegistrySpec;
import podnet.node.etcd.EtcdClient;

/** {@code podnet node}: the cluster agent (flannel's job) and the nodes it knows. */
@Command(name = "node", description = "This node in the cluster: the agent that routes to other nodes' pods, the node list, leaving.",
        subcommands = {NodeCommand.Run.class, NodeCommand.ListNodes.class, NodeCommand.Leave.class})
final class NodeCommand extends CommandGroup {

    /** Bad flags: exit 2, nothing changed. */
    static final int USAGE = 2;

    @Command(name = "run", description = "Join the cluster and keep this node's routes to every other node's pods "
            + "(until SIGTERM/Ctrl-C; the data path stays when it stops).")
    static final class Run extends CliCommand {
        @Option(names = "--network", required = true, paramLabel = "CIDR", description = "The cluster's pod network, e.g. 10.244.0.0/16.")
        String network;

        @Option(names = "--subnet-len", paramLabel = "N", defaultValue = "24", description = "Each node's subnet length (default: ${DEFAULT-VALUE}).")
        int subnetLen;

        @Option(names = "--backend", required = true, paramLabel = "vxlan|host-gw",
                description = "vxlan (UDP 8472 through flannel.1) or host-gw (routes; every node on one L2 segment).")
        String backend;

        @Option(names = "--iface", paramLabel = "DEV", description = "The link to the other nodes (default: the default route's).")
        String iface;

        @Option(names = "--public-ip", paramLabel = "IP", description = "The address peers reach this node at (default: the link's).")
        String publicIp;

        @Option(names = "--node-name", paramLabel = "NAME", description = "This node's name (default: the --node-netns name, else the hostname).")
        String nodeName;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Registry registry;

        static final class Registry {
            @ArgGroup(exclusive = false)
            Etcd etcd;

            @ArgGroup(exclusive = false)
            Kube kube;
        }

        static final class Etcd {
            @Option(names = "--etcd-endpoints", required = true, paramLabel = "URL[,URL...]",
                    description = "etcd's client URLs, e.g. http://10.0.0.2:2379.")
            String endpoints;

            @Option(names = "--etcd-prefix", paramLabel = "PREFIX", defaultValue = EtcdRegistry.DEFAULT_PREFIX,
                    description = "flannel's key prefix (default: ${DEFAULT-VALUE}).")
            String prefix;
        }

        static final class Kube {
            @Option(names = "--kube", required = true, description = "Subnets from the Kubernetes API (Node.spec.podCIDR).")
            boolean kube;

            @Option(names = "--kubeconfig", paramLabel = "FILE", description = "A kubeconfig (default: in-cluster, or $KUBECONFIG).")
            Path kubeconfig;

            @Option(names = "--no-network-policy",
                    description = "Do not enforce the API's NetworkPolicies (another policy engine does).")
            boolean noNetworkPolicy;
        }

        @Option(names = "--cni-conf-dir", paramLabel = "DIR",
                description = "Also write the node's conflist here (a runtime's /etc/cni/net.d).")
        Path cniConfDir;

        @Option(names = "--no-ip-masq", description = "Do not masquerade pods' traffic that leaves the cluster network.")
        boolean noIpMasq;

        @Option(names = "--lease-ttl", paramLabel = "SECONDS", hidden = true, defaultValue = "86400",
                description = "Subnet lease lifetime (flannel: 24 h).")
        long leaseTtl;

        Run(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws InterruptedException {
            AgentOptions options = options();
            NodeAgent agent = new NodeAgent(options, cli.err, cli.streamsAreSystem());
            // SIGINT/SIGTERM (also in a script's background, where SIGINT arrives ignored) stop
            // the agent's loop; run() returns once it has finished its current step.
            try (StopSignals.Registration signals = StopSignals.install(agent::stop)) {
                agent.run();
            }
            cli.err.println("podnet node " + options.nodeName() + ": stopped (the data path stays as it is)");
            return 0;
        }

        /** Every flag checked before anything is touched: a bad one is exit 2. */
        AgentOptions options() {
            NetworkConfig net;
            try {
                net = new NetworkConfig(Cidr.parse(network), subnetLen, BackendType.parse(backend));
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage().startsWith("--") ? e.getMessage() : "--network/--backend: " + e.getMessage(),
                        "e.g. --network 10.244.0.0/16 --subnet-len 24 --backend vxlan");
            }
            InetAddress ip = null;
            if (publicIp != null) {
                try {
                    ip = Cidr.parseAddress(publicIp);
                } catch (IllegalArgumentException e) {
                    throw usage("--public-ip " + publicIp + ": " + e.getMessage(), "give an IPv4 address, e.g. 192.168.50.11");
                }
            }
            RegistrySpec reg;
            if (registry.etcd != null) {
                try {
                    reg = new RegistrySpec.Etcd(EtcdClient.parseEndpoints(registry.etcd.endpoints), registry.etcd.prefix);
                } catch (IllegalArgumentException e) {
                    throw usage(e.getMessage(), "e.g. --etcd-endpoints http://10.0.0.2:2379 --etcd-prefix /coreos.com/network");
                }
            } else {
                if (registry.kube.kubeconfig != null && !java.nio.file.Files.isReadable(registry.kube.kubeconfig)) {
                    throw usage("--kubeconfig " + registry.kube.kubeconfig + ": no such readable file", "give a kubeconfig file");
                }
                reg = new RegistrySpec.Kube(registry.kube.kubeconfig, !registry.kube.noNetworkPolicy);
            }
            if (iface != null && (iface.isEmpty() || iface.length() > 15 || iface.contains("/"))) {
                throw usage("--iface " + iface + ": not an interface name", "e.g. --iface eth0");
            }
            Netns node;
            try {
                node = cli.nodeNetns();
            } catch (CliException e) {
                throw new CliException(e.getMessage(), e.hint(), USAGE);
            }
            String name = nodeName != null ? nodeName : cli.nodeNetns != null ? cli.nodeNetns : hostname();
            try {
                return new AgentOptions(name, node, cli.stateDir.toAbsolutePath(), net, iface, ip, reg,
                        cniConfDir == null ? null : cniConfDir.toAbsolutePath(), !noIpMasq, Duration.ofSeconds(leaseTtl));
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage(), "see `podnet node run --help`");
            }
        }

        private static CliException usage(String message, String hint) {
            return new CliException(message, hint, USAGE);
        }

        private static String hostname() {
            try {
                return java.nio.file.Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            } catch (java.io.IOException e) {
                return "localhost";
            }
        }
    }

    @Command(name = "list", aliases = "ls", description = "The cluster's nodes: name, subnet, public IP, backend, VTEP MAC, lease expiry.")
    static final class ListNodes extends CliCommand {
        ListNodes(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            List<NodeInfo> nodes = ClusterNode.list(cli.stateDir);
            if (cli.json) {
                List<Object> out = new ArrayList<>();
                for (NodeInfo n : nodes) {
                    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
                    m.put("name", n.name());
                    m.put("subnet", n.subnet());
                    m.put("publicIp", n.publicIp());
                    m.put("backend", n.backend());
                    m.put("vtepMac", n.vtepMac());
                    m.put("expires", n.expires() == null ? null : n.expires().toString());
                    m.put("self", n.self());
                    out.add(m);
                }
                JsonOutput.print(cli.out, out);
                return 0;
            }
            Table t = new Table("NAME", "SUBNET", "PUBLIC-IP", "BACKEND", "VTEP-MAC", "EXPIRES");
            for (NodeInfo n : nodes) {
                t.row(n.name() + (n.self() ? " (this node)" : ""), n.subnet(), n.publicIp(), n.backend(),
                        n.vtepMac() == null ? "-" : n.vtepMac(), ClusterNode.remaining(n.expires()));
            }
            t.print(cli.out);
            return 0;
        }
    }

    @Command(name = "leave", description = "Stop the agent, give the subnet back and remove this node's tunnel, routes and files.")
    static final class Leave extends CliCommand {
        Leave(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            cli.out.println(ClusterNode.leave(cli.stateDir, cli.err));
            return 0;
        }
    }
}
