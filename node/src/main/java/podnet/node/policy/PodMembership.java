package podnet.node.policy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import podnet.linux.inet.Cidr;
import podnet.linux.ns.Netns;
import podnet.node.pod.ContainerPort;
import podnet.node.pod.PodListener;
import podnet.node.pod.PodRecord;
import podnet.node.pod.PodStore;

/**
 * Keeps the node's policy sets in step with its pods: a pod joins them when its ADD returns
 * (before its containers start) and leaves them before its DEL. Also the node's pods as
 * policies see them, from their records.
 */
public final class PodMembership implements PodListener {
    private final Path stateDir;

    public PodMembership(Path stateDir) {
        this.stateDir = stateDir;
    }

    /** The node's policies, enforced in the node namespace {@code nodeNetns} (null: the current one). */
    public static Policies policies(Path stateDir, String nodeNetns) {
        PodStore store = new PodStore(stateDir);
        return new Policies(stateDir, nodeNetns == null ? Netns.CURRENT : Netns.named(nodeNetns), () -> pods(store));
    }

    /** Every pod with an address. */
    public static List<PolicyPod> pods(PodStore store) {
        List<PolicyPod> out = new ArrayList<>();
        for (PodRecord r : store.list()) {
            PolicyPod p = of(r);
            if (p.ip() != null) {
                out.add(p);
            }
        }
        return out;
    }

    public static PolicyPod of(PodRecord r) {
        InetAddress ip = r.ip() == null ? null : Cidr.parse(r.ip().contains("/") ? r.ip() : r.ip() + "/32").address();
        List<PolicyPod.NamedPort> ports = new ArrayList<>();
        for (ContainerPort cp : r.ports()) {
            if (cp.name() != null) {
                ports.add(new PolicyPod.NamedPort(cp.name(), cp.containerPort(), cp.protocol()));
            }
        }
        return new PolicyPod(r.namespace(), r.name(), r.labels(), ip, ports);
    }

    @Override
    public void attached(PodRecord pod) {
        policies(stateDir, pod.nodeNetns()).podAdded(of(pod));
    }

    @Override
    public void detaching(PodRecord pod) {
        policies(stateDir, pod.nodeNetns()).podRemoved(of(pod));
    }
}
