package podnet.cni.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import podnet.linux.ns.Netns;

/** CNI_NETNS checks: it must exist (for ADD/CHECK) and must not be the plugin's own netns. */
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
