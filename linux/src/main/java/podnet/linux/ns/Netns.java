package podnet.linux.ns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import podnet.linux.sys.Errno;
import podnet.linux.sys.FileDescriptor;
import podnet.linux.sys.Namespaces;
import podnet.linux.sys.SysException;

/**
 * A network namespace, named by a file that refers to it: a bind mount under
 * {@code /run/netns} (iproute2's named netns), {@code /proc/PID/ns/net}, or any other path.
 * {@link #CURRENT} is the caller's own namespace: code for it runs inline.
 */
public record Netns(String name, Path path) {
    public static final Path RUN_NETNS = Path.of("/run/netns");

    /** The calling thread's namespace. */
    public static final Netns CURRENT = new Netns(null, null);

    /** A namespace named like {@code ip netns add NAME} does. */
    public static Netns named(String name) {
        NetnsName.validate(name);
        return new Netns(name, RUN_NETNS.resolve(name));
    }

    public static Netns ofPid(long pid) {
        return new Netns(null, Path.of("/proc", Long.toString(pid), "ns", "net"));
    }

    public static Netns ofPath(Path path) {
        return new Netns(null, path);
    }

    /**
     * Whether {@code path} refers to a network namespace, not another kind (a mount or user
     * namespace file, which setns would refuse with EINVAL only once a caller tries to enter it).
     * Opens the file: give it only a path already known to be on nsfs, never a FIFO or a device.
     * False for a file that is no namespace; a file that cannot be opened throws.
     */
    public static boolean isNetworkNamespace(Path path) {
        try (FileDescriptor fd = FileDescriptor.open(path, FileDescriptor.O_RDONLY | FileDescriptor.O_NONBLOCK, 0)) {
            return Namespaces.type(fd.fd()) == Namespaces.CLONE_NEWNET;
        } catch (SysException e) {
            if (e.is(Errno.ENOTTY) || e.is(Errno.EINVAL)) {
                return false;
            }
            throw e;
        }
    }

    public boolean isCurrent() {
        return path == null;
    }

    public boolean exists() {
        return path == null || Files.exists(path);
    }

    /**
     * Runs {@code body} inside this namespace: on a dedicated thread unless {@link #CURRENT}, or
     * in place on a thread {@linkplain NsThread#lentForSwitches lent for switches}.
     */
    public <T> T call(Callable<T> body) {
        if (path == null) {
            try {
                return body.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return NsThread.callNetns(path, body);
    }

    public void run(Runnable body) {
        call(() -> {
            body.run();
            return null;
        });
    }

    /** For messages: the name, else the path, else "current". */
    public String label() {
        if (name != null) {
            return name;
        }
        return path == null ? "current" : path.toString();
    }

    @Override
    public String toString() {
        return "netns " + label();
    }
}
