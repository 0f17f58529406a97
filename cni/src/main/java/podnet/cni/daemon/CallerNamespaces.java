package podnet.cni.daemon;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
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
        try (FileDescriptor net = FileDescriptor.openReadOnly(proc.resolve("net"));
                FileDescriptor mnt = FileDescriptor.openReadOnly(proc.resolve("mnt"))) {
            AtomicReference<T> result = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = Thread.ofPlatform().name("podnetd-call-" + pid).start(() -> {
                try {
                    Namespaces.unshare(Namespaces.CLONE_FS);
                    Namespaces.setns(mnt.fd(), Namespaces.CLONE_NEWNS);
                    Namespaces.setns(net.fd(), Namespaces.CLONE_NEWNET);
                    result.set(body.call());
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            t.join();
            if (failure.get() instanceof RuntimeException r) {
                throw r;
            }
            if (failure.get() != null) {
                throw new IllegalStateException(failure.get());
            }
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
