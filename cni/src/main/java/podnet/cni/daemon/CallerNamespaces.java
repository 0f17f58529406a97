package podnet.cni.daemon;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import podnet.linux.ns.NsThread;
import podnet.linux.sys.FileDescriptor;
import podnet.linux.sys.Namespaces;

/**
 * Runs a plugin call inside the caller's network and mount namespaces, so that the host side
 * of the veth lands in the runtime's netns and paths (CNI_NETNS, dataDir) mean what they mean
 * to the runtime (podman, for one, has a private /run and /var/lib/cni).
 *
 * <p>The namespaces are opened through /proc/PID/ns while the shim is blocked waiting for the
 * reply, so the pid cannot be reused meanwhile. The switch happens on a fresh platform thread:
 * unshare(CLONE_FS) first, because setns to a mount namespace is refused to a thread that
 * shares its filesystem context with the rest of the JVM.
 */
final class CallerNamespaces {
    private CallerNamespaces() {}

    static <T> T call(int pid, Callable<T> body) {
        Path proc = Path.of("/proc", Integer.toString(pid), "ns");
        // Both opened before the switch: after it, /proc may be another mount namespace's.
        try (FileDescriptor net = FileDescriptor.openReadOnly(proc.resolve("net"));
                FileDescriptor mnt = FileDescriptor.openReadOnly(proc.resolve("mnt"))) {
            return NsThread.onFreshThread(() -> {
                Namespaces.unshare(Namespaces.CLONE_FS);
                Namespaces.setns(mnt.fd(), Namespaces.CLONE_NEWNS);
                Namespaces.setns(net.fd(), Namespaces.CLONE_NEWNET);
                return body.call();
            });
        }
    }
}
