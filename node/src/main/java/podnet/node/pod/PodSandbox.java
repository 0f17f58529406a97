package podnet.node.pod;

import java.nio.file.Path;
import java.util.List;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;
import podnet.linux.ns.PinnedNamespaces;

/**
 * A pod's namespaces, held by bind mounts instead of a pause process (as containerd pins a
 * sandbox's netns): the network namespace is named {@code podnet-<pod>} under /run/netns, so
 * {@code ip netns} sees it; the UTS (hostname = pod name) and IPC namespaces are pinned under
 * the pod's state directory in {@code ns/uts} and {@code ns/ipc}.
 */
public record PodSandbox(String pod, Netns netns, Path uts, Path ipc) {

    public static String netnsName(String pod) {
        return "podnet-" + pod;
    }

    /** Where the sandbox of {@code pod} is (or would be), whether or not it exists. */
    public static PodSandbox of(String pod, Path podDir) {
        Path ns = podDir.resolve("ns");
        return new PodSandbox(pod, Netns.named(netnsName(pod)), ns.resolve("uts"), ns.resolve("ipc"));
    }

    /** Creates the three namespaces; on failure nothing is left behind. */
    public static PodSandbox create(String pod, Path podDir) {
        PodSandbox s = of(pod, podDir);
        NamedNetns.add(s.netns.name());
        try {
            PinnedNamespaces.create(s.netns, pod, s.uts, s.ipc);
        } catch (RuntimeException e) {
            s.destroy();
            throw e;
        }
        return s;
    }

    /** The files a process joins to be inside the pod: net, uts, ipc. */
    public List<Path> nsFiles() {
        return List.of(netns.path(), uts, ipc);
    }

    public boolean exists() {
        return NamedNetns.exists(netns.name());
    }

    /** Unpins and removes everything; idempotent, so it also cleans a half-made sandbox. */
    public void destroy() {
        RuntimeException first = null;
        try {
            new PinnedNamespaces(uts, ipc).remove();
        } catch (RuntimeException e) {
            first = e;
        }
        try {
            NamedNetns.deleteIfExists(netns.name());
        } catch (RuntimeException e) {
            first = first == null ? e : first;
        }
        if (first != null) {
            throw first;
        }
    }
}
