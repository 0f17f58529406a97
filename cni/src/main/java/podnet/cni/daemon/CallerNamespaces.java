package podnet.cni.daemon;

import java.util.concurrent.Callable;
import podnet.linux.ns.NsThread;
import podnet.linux.sys.FileDescriptor;
import podnet.linux.sys.Namespaces;
import podnet.linux.sys.Pidfd;
import podnet.linux.sys.UnixSocket;

/**
 * Runs a plugin call inside the caller's network and mount namespaces, so that the host side
 * of the veth lands in the runtime's netns and paths (CNI_NETNS, dataDir) mean what they mean
 * to the runtime (podman, for one, has a private /run and /var/lib/cni).
 *
 * <p>The caller is named by a pidfd, never by its pid: SO_PEERPIDFD where the kernel has it
 * (the process that connected, even if it is gone and its pid reused), else pidfd_open on the
 * SO_PEERCRED pid right after accept. setns on the pidfd joins both
 * namespaces at once, or fails if the caller has exited. The switch happens on a fresh platform
 * thread: unshare(CLONE_FS) first, because setns to a mount namespace is refused to a thread
 * that shares its filesystem context with the rest of the JVM.
 */
final class CallerNamespaces {
    private CallerNamespaces() {}

    /** The caller of {@code conn} as a pidfd. */
    static FileDescriptor pidfd(UnixSocket conn) {
        FileDescriptor fd = conn.peerPidfd();
        if (fd != null) {
            return fd;
        }
        // Older kernels: the shim waits for our answer, so its pid is reused only if it was
        // killed in the moment between accept and here.
        int pid = conn.peerCredentials().pid();
        fd = Pidfd.open(pid);
        if (!Pidfd.alive(fd)) {
            fd.close();
            throw new IllegalStateException("the caller (pid " + pid + ") went away");
        }
        return fd;
    }

    static <T> T call(FileDescriptor caller, Callable<T> body) {
        return NsThread.onFreshThread(() -> join(caller, body));
    }

    /**
     * {@link #call} on the calling thread itself, saving a thread per call: only for a thread
     * whose owner returns it to its own namespaces after the call, or ends it (podnetd's
     * {@link CallThreads}).
     */
    static <T> T callOnOwnThread(FileDescriptor caller, Callable<T> body) throws Exception {
        return join(caller, body);
    }

    private static <T> T join(FileDescriptor caller, Callable<T> body) throws Exception {
        Namespaces.unshare(Namespaces.CLONE_FS);
        Namespaces.setns(caller.fd(), Namespaces.CLONE_NEWNS | Namespaces.CLONE_NEWNET);
        podnet.cni.spec.Phases.mark("setns");
        return body.call();
    }
}
