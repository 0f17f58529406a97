package podnet.engines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A container root filesystem made from Debian's static busybox: {@code /bin/busybox} and one
 * symlink per applet. No registry is reachable, and {@code --rootfs} needs no image store.
 */
public final class BusyboxRootfs {
    public static final Path BUSYBOX = Path.of("/bin/busybox");

    private BusyboxRootfs() {}

    /** Builds the rootfs in {@code dir} (created) and returns it. */
    public static Path build(Path dir) throws IOException {
        for (String d : List.of("bin", "dev", "proc", "sys", "etc", "tmp", "run")) {
            Files.createDirectories(dir.resolve(d));
        }
        Path bin = dir.resolve("bin");
        Files.copy(BUSYBOX, bin.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
        for (String applet : applets()) {
            if (!applet.equals("busybox")) {
                Files.deleteIfExists(bin.resolve(applet));
                Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
            }
        }
        // Engines bind-mount over these; an empty file keeps them from writing into /etc of a
        // shared rootfs in surprising ways.
        for (String f : List.of("etc/hosts", "etc/resolv.conf", "etc/hostname")) {
            if (!Files.exists(dir.resolve(f))) {
                Files.createFile(dir.resolve(f));
            }
        }
        // podman links /etc/mtab to /proc/mounts when it is missing; a link inside the rootfs
        // keeps the test's temp dir free of links that point outside it.
        Path mtab = dir.resolve("etc/mtab");
        if (!Files.exists(mtab, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(mtab, Path.of("../proc/self/mounts"));
        }
        return dir;
    }

    static List<String> applets() throws IOException {
        Cmd.Result r = Cmd.run(BUSYBOX.toString(), "--list");
        if (r.exit() != 0) {
            throw new IOException("busybox --list failed: " + r.err() + r.out());
        }
        return r.out().lines().map(String::strip).filter(s -> !s.isEmpty() && !s.contains("/")).toList();
    }
}
