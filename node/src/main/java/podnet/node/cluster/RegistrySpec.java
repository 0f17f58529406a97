package podnet.node.cluster;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import podnet.linux.ns.Netns;
import podnet.node.etcd.EtcdClient;

/** Which subnet registry a node uses, as given on the command line and kept in its node record. */
public sealed interface RegistrySpec {
    /** Opens it; connections leave through {@code netns} (the node's). */
    SubnetRegistry open(Netns netns, String nodeName);

    /** flannel's etcd layout under {@code prefix}. */
    record Etcd(List<URI> endpoints, String prefix) implements RegistrySpec {
        public Etcd {
            endpoints = List.copyOf(endpoints);
            EtcdRegistry.checkPrefix(prefix);
        }

        @Override
        public SubnetRegistry open(Netns netns, String nodeName) {
            return new EtcdRegistry(new EtcdClient(endpoints, NodeSockets.in(netns), Duration.ofSeconds(5)), prefix);
        }
    }

    /**
     * The Kubernetes API: Node.spec.podCIDR and flannel's annotations; {@code kubeconfig} null for
     * in-cluster. With {@code networkPolicy}, the agent also enforces the API's NetworkPolicies.
     */
    record Kube(Path kubeconfig, boolean networkPolicy) implements RegistrySpec {
        /** With NetworkPolicy enforced. */
        public Kube(Path kubeconfig) {
            this(kubeconfig, true);
        }

        @Override
        public SubnetRegistry open(Netns netns, String nodeName) {
            return KubeRegistry.open(kubeconfig, netns, nodeName);
        }
    }
}
