package podnet.node.pod;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;
import podnet.linux.ns.NsThread;
import podnet.linux.sys.Errno;
import podnet.linux.sys.Namespaces;
import podnet.linux.sys.SysException;

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
            Files.createDirectories(s.uts.getParent());
            Files.createFile(s.uts);
            Files.createFile(s.ipc);
            // A fresh thread joins the pod's netns, makes new uts+ipc namespaces, names the host
            // and pins both; the thread exits and only the mounts keep them.
            NsThread.run(List.of(s.netns.path()), () -> {
                Namespaces.unshare(Namespaces.CLONE_NEWUTS | Namespaces.CLONE_NEWIPC);
                Hostname.set(pod);
                Namespaces.mount("/proc/thread-self/ns/uts", s.uts.toString(), "none", Namespaces.MS_BIND);
                Namespaces.mount("/proc/thread-self/ns/ipc", s.ipc.toString(), "none", Namespaces.MS_BIND);
            });
        } catch (IOException e) {
            s.destroy();
            throw new UncheckedIOException("create sandbox of " + pod, e);
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
        for (Path p : List.of(uts, ipc)) {
            try {
                unpin(p);
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
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

    private static void unpin(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try {
            Namespaces.umount2(p.toString(), Namespaces.MNT_DETACH);
        } catch (SysException e) {
            if (!e.is(Errno.EINVAL)) { // EINVAL: not mounted (half-made)
                throw e;
            }
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("remove " + p, e);
        }
    }
}
