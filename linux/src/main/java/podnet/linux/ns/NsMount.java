package podnet.linux.ns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import podnet.linux.sys.Errno;
import podnet.linux.sys.Namespaces;
import podnet.linux.sys.SysException;

/** A namespace held by a bind mount on a file: the pin that keeps it alive without a process. */
final class NsMount {
    private NsMount() {}

    /** Bind-mounts {@code source} (e.g. {@code /proc/thread-self/ns/uts}) onto the file {@code pin}. */
    static void pin(String source, Path pin) {
        Namespaces.mount(source, pin.toString(), "none", Namespaces.MS_BIND);
    }

    /** Detaches the mount on {@code pin} and deletes the file; a half-made (unmounted) pin is fine. */
    static void unpin(Path pin, String what) {
        try {
            Namespaces.umount2(pin.toString(), Namespaces.MNT_DETACH);
        } catch (SysException e) {
            if (!e.is(Errno.EINVAL)) { // EINVAL: not a mount point (a half-made pin)
                throw e;
            }
        }
        try {
            Files.deleteIfExists(pin);
        } catch (IOException e) {
            throw new UncheckedIOException(what, e);
        }
    }
}
