package podnet.linux.ns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import podnet.linux.sys.Namespaces;

/**
 * A fresh UTS and IPC namespace, held by bind mounts on the files {@code uts} and {@code ipc}
 * instead of by a process (as containerd pins a sandbox's netns). Processes join them with
 * {@link NsProcess#start(List, ProcessBuilder)} and {@link #files()}.
 */
public record PinnedNamespaces(Path uts, Path ipc) {

    /**
     * Makes both namespaces from inside {@code netns}, names the UTS one {@code hostname} and
     * pins them on {@code uts} and {@code ipc} (created with their directories). On failure
     * nothing is left behind.
     */
    public static PinnedNamespaces create(Netns netns, String hostname, Path uts, Path ipc) {
        PinnedNamespaces p = new PinnedNamespaces(uts, ipc);
        try {
            for (Path f : p.files()) {
                Files.createDirectories(f.getParent());
                Files.createFile(f);
            }
            // A fresh thread joins netns, unshares uts+ipc, names the host and pins both; the
            // thread exits and only the mounts keep them.
            NsThread.run(netns.isCurrent() ? List.of() : List.of(netns.path()), () -> {
                Namespaces.unshare(Namespaces.CLONE_NEWUTS | Namespaces.CLONE_NEWIPC);
                Namespaces.sethostname(hostname);
                NsMount.pin("/proc/thread-self/ns/uts", uts);
                NsMount.pin("/proc/thread-self/ns/ipc", ipc);
            });
        } catch (IOException e) {
            p.remove();
            throw new UncheckedIOException("pin uts and ipc namespaces on " + uts.getParent(), e);
        } catch (RuntimeException e) {
            p.remove();
            throw e;
        }
        return p;
    }

    /** The pin files, uts first. */
    public List<Path> files() {
        return List.of(uts, ipc);
    }

    /** Unpins and deletes both files; idempotent, so it also cleans a half-made pair. */
    public void remove() {
        RuntimeException first = null;
        for (Path f : files()) {
            try {
                if (Files.exists(f)) {
                    NsMount.unpin(f, "remove " + f);
                }
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
