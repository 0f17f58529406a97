package podnet.linux.ns;

import java.nio.file.Path;
import podnet.linux.sys.FileDescriptor;
import podnet.linux.sys.Namespaces;

/**
 * A network namespace with no name and no process in it: made by unshare(2) on a short-lived
 * thread and held only by a descriptor of this process, so it vanishes, with every link in it,
 * when that descriptor closes or this process ends, whatever happens. Nothing in /run/netns,
 * nothing to clean up after a crash. {@link #netns()} names it by {@code /proc/PID/fd/N} for
 * code that wants a path (setns, CNI_NETNS).
 */
public final class AnonymousNetns implements AutoCloseable {
    private final FileDescriptor fd;
    private final Netns netns;

    private AnonymousNetns(FileDescriptor fd) {
        this.fd = fd;
        this.netns = Netns.ofPath(Path.of("/proc", Long.toString(ProcessHandle.current().pid()), "fd",
                Integer.toString(fd.fd())));
    }

    public static AnonymousNetns create() {
        return new AnonymousNetns(NsThread.unshared(Namespaces.CLONE_NEWNET,
                () -> FileDescriptor.openReadOnly(Path.of("/proc/thread-self/ns/net"))));
    }

    public Netns netns() {
        return netns;
    }

    @Override
    public void close() {
        fd.close();
    }
}
