package podnet.linux.ns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import podnet.linux.sys.Errno;
import podnet.linux.sys.FileDescriptor;
import podnet.linux.sys.Namespaces;
import podnet.linux.sys.SysException;

/**
 * Named network namespaces exactly as iproute2 keeps them: {@code /run/netns} is a shared
 * mount point, and each name is a file with the namespace bind-mounted on it. {@code ip netns}
 * sees ours and we see its.
 */
public final class NamedNetns {
    private NamedNetns() {}

    /** {@code ip netns add NAME}: a new, empty network namespace (lo down). */
    public static Netns add(String name) {
        Netns ns = Netns.named(name);
        prepareRunDir();
        createMountPoint(ns, "netns add " + name);
        try {
            NsThread.unshared(Namespaces.CLONE_NEWNET, () -> {
                NsMount.pin("/proc/thread-self/ns/net", ns.path());
                return null;
            });
        } catch (RuntimeException e) {
            deleteQuietly(ns.path());
            throw e;
        }
        return ns;
    }

    /**
     * {@code ip netns attach NAME PID}: names the network namespace of a running process, so
     * that it outlives the process and {@code ip netns} sees it.
     */
    public static Netns attach(String name, long pid) {
        Netns ns = Netns.named(name);
        Path source = Path.of("/proc", Long.toString(pid), "ns", "net");
        if (!Files.exists(source)) {
            throw new SysException("netns attach " + name + ": no process " + pid, Errno.ESRCH);
        }
        prepareRunDir();
        createMountPoint(ns, "netns attach " + name);
        try {
            NsMount.pin(source.toString(), ns.path());
        } catch (RuntimeException e) {
            deleteQuietly(ns.path());
            throw e;
        }
        return ns;
    }

    /** {@code ip netns del NAME}: detaches the bind mount and removes the name. */
    public static void delete(String name) {
        Netns ns = Netns.named(name);
        if (!Files.exists(ns.path())) {
            throw new SysException("netns del " + name + ": no such namespace", Errno.ENOENT);
        }
        NsMount.unpin(ns.path(), "netns del " + name);
    }

    /** Deletes the namespace if it exists; for cleanup paths. */
    public static boolean deleteIfExists(String name) {
        if (!exists(name)) {
            return false;
        }
        delete(name);
        return true;
    }

    public static boolean exists(String name) {
        return Files.exists(Netns.named(name).path());
    }

    /** The names under /run/netns, sorted. */
    public static List<String> list() {
        if (!Files.isDirectory(Netns.RUN_NETNS)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(Netns.RUN_NETNS)) {
            List<String> names = new ArrayList<>();
            s.forEach(p -> names.add(p.getFileName().toString()));
            names.sort(null);
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The empty file the namespace gets bind-mounted on; O_EXCL so two creators of a name cannot both win. */
    private static void createMountPoint(Netns ns, String what) {
        try (FileDescriptor ignored = FileDescriptor.open(ns.path(),
                FileDescriptor.O_RDONLY | FileDescriptor.O_CREAT | FileDescriptor.O_EXCL, 0)) {
            // just the mount point
        } catch (SysException e) {
            if (e.is(Errno.EEXIST)) {
                throw new SysException(what + ": a namespace of that name exists", Errno.EEXIST);
            }
            throw e;
        }
    }

    /** Creates /run/netns and makes it a shared mount point, as iproute2 does. */
    private static void prepareRunDir() {
        try {
            Files.createDirectories(Netns.RUN_NETNS);
        } catch (IOException e) {
            throw new UncheckedIOException("create " + Netns.RUN_NETNS, e);
        }
        String dir = Netns.RUN_NETNS.toString();
        try {
            Namespaces.mount("", dir, "none", Namespaces.MS_SHARED | Namespaces.MS_REC);
        } catch (SysException e) {
            if (!e.is(Errno.EINVAL)) {
                throw e;
            }
            // Not a mount point yet: bind it onto itself, then make it shared.
            Namespaces.mount(dir, dir, "none", Namespaces.MS_BIND | Namespaces.MS_REC);
            Namespaces.mount("", dir, "none", Namespaces.MS_SHARED | Namespaces.MS_REC);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort on an error path; the original error is what matters
        }
    }
}
