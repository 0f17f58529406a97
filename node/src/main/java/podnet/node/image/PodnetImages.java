package podnet.node.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * podnet's two images, made without a registry: {@code pause} (one static binary that holds a
 * sandbox's namespaces, built from node/src/main/c/pause.c) and {@code busybox} (Debian's
 * static busybox with one symlink per applet, at the paths {@code busybox --list-full} gives).
 */
public final class PodnetImages {
    private PodnetImages() {}

    public static final String VERSION = "0.1.0";
    public static final String PAUSE = "localhost/podnet/pause:" + VERSION;
    public static final String BUSYBOX = "localhost/podnet/busybox:" + VERSION;
    public static final Path BUSYBOX_BINARY = Path.of("/bin/busybox");
    static final String PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    static final String PAUSE_RESOURCE = "/podnet/node/image/pause";

    /** One archive written by {@link #build}. */
    public record Built(String ref, Path archive, long bytes) {}

    /** podnet's images in memory: pause, then busybox. */
    public static List<OciImage> images() {
        return List.of(
                OciImage.of(PAUSE, pauseLayer(), new ImageConfig(List.of("/pause"), List.of(), List.of(PATH_ENV))),
                OciImage.of(BUSYBOX, busyboxLayer(BUSYBOX_BINARY), new ImageConfig(List.of(), List.of("sh"), List.of(PATH_ENV))));
    }

    /** Writes {@code pause.tar} and {@code busybox.tar} into {@code dir}. */
    public static List<Built> build(Path dir) {
        List<Built> out = new ArrayList<>();
        for (OciImage image : images()) {
            Path file = dir.resolve(image.ref().equals(PAUSE) ? "pause.tar" : "busybox.tar");
            OciArchive.write(file, image);
            try {
                out.add(new Built(image.ref(), file, Files.size(file)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** The pause binary the build compiled into the jar. */
    static byte[] pauseBinary() {
        try (InputStream in = PodnetImages.class.getResourceAsStream(PAUSE_RESOURCE)) {
            if (in == null) {
                throw new ImageException("this build has no pause binary (cc or a static libc was missing at build time)",
                        "install gcc and libc6-dev, then rebuild podnet (./podnet rebuilds when sources change)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("read the pause binary", e);
        }
    }

    static byte[] pauseLayer() {
        return new TarArchive().file("pause", 0755, pauseBinary()).finish();
    }

    static byte[] busyboxLayer(Path busybox) {
        if (!Files.isExecutable(busybox)) {
            throw new ImageException("no static busybox at " + busybox,
                    "install it: apt-get install busybox-static");
        }
        TreeSet<String> dirs = new TreeSet<>(List.of("bin", "dev", "etc", "proc", "root", "run", "sys", "tmp", "var"));
        List<String> applets = new ArrayList<>();
        for (String path : appletPaths(busybox)) {
            if (path.equals("bin/busybox")) {
                continue;
            }
            applets.add(path);
            for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
                dirs.add(path.substring(0, i));
            }
        }
        TarArchive tar = new TarArchive();
        for (String d : dirs) {
            tar.dir(d, d.equals("tmp") ? 01777 : 0755);
        }
        try {
            tar.file("bin/busybox", 0755, Files.readAllBytes(busybox));
        } catch (IOException e) {
            throw new UncheckedIOException("read " + busybox, e);
        }
        for (String a : applets) {
            // relative, so an unpacked layer never points at the host's /bin/busybox
            tar.symlink(a, "../".repeat(a.split("/").length - 1) + "bin/busybox");
        }
        return tar.finish();
    }

    /** {@code busybox --list-full}: every applet at its usual path (bin/sh, usr/bin/wget, …). */
    static List<String> appletPaths(Path busybox) {
        try {
            Process p = new ProcessBuilder(busybox.toString(), "--list-full").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new ImageException(busybox + " --list-full failed: " + out.strip(),
                        "podnet needs Debian's busybox-static (apt-get install busybox-static)");
            }
            return out.lines().map(String::strip).filter(s -> !s.isEmpty() && !s.startsWith("/")).distinct().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("run " + busybox, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
