package podnet.cni.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import podnet.linux.ns.Netns;
import podnet.linux.sys.SysException;

/**
 * CNI_NETNS checks: it must exist (for ADD/CHECK), be a network namespace and not the plugin's
 * own; any other file is the spec's code 4 (invalid environment), before anything is changed.
 */
public final class Sandbox {
    private Sandbox() {}

    public static final Path SELF = Path.of("/proc/thread-self/ns/net");

    /** The container's netns for ADD/CHECK, validated. */
    public static Netns require(String path) {
        Path p = Path.of(path);
        if (!Files.exists(p)) {
            throw CniError.env("CNI_NETNS: failed to open netns \"" + path + "\": no such file");
        }
        try {
            Object a = Files.getAttribute(p, "unix:ino"), b = Files.getAttribute(SELF, "unix:ino");
            Object da = Files.getAttribute(p, "unix:dev"), db = Files.getAttribute(SELF, "unix:dev");
            if (a.equals(b) && da.equals(db)) {
                throw CniError.env("CNI_NETNS \"" + path + "\" is the plugin's own network namespace");
            }
            if (!da.equals(db)) { // every namespace file lives on nsfs; /dev/null or a plain file does not
                throw CniError.env("CNI_NETNS \"" + path + "\" is not a network namespace");
            }
        } catch (IOException | UnsupportedOperationException e) {
            throw CniError.env("CNI_NETNS: cannot stat \"" + path + "\": " + e.getMessage());
        }
        // On nsfs, but a mount, user, pid... namespace would only fail once entered, after the first change.
        boolean net;
        try {
            net = Netns.isNetworkNamespace(p);
        } catch (SysException e) {
            throw CniError.env("CNI_NETNS: failed to open netns \"" + path + "\": " + e.errnoName());
        }
        if (!net) {
            throw CniError.env("CNI_NETNS \"" + path + "\" is a namespace, but not a network namespace");
        }
        return Netns.ofPath(p);
    }

    /** For DEL: the netns if it still exists, else null (DEL then only releases state). */
    public static Netns ifExists(String path) {
        if (path == null || path.isEmpty() || !Files.exists(Path.of(path))) {
            return null;
        }
        return require(path);
    }
}
