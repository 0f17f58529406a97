package podnet.cni.install;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import podnet.linux.fs.DirectoryTree;

/**
 * A copy of the Java runtime podnet runs on, beside the installed jars
 * ({@code <binDir>/podnet-lib/<build id>/runtime}), for a self-contained install: the
 * executables a DaemonSet's container writes into the host's /opt/cni/bin run on the host, where
 * the container's runtime is not visible and no JDK need exist. A jlink'd runtime is relocatable;
 * it needs only the host's C library.
 */
final class HostRuntime {
    static final String DIR = "runtime";

    private HostRuntime() {}

    /** Copies {@code javaHome} into {@code libDir}/runtime unless a copy of the same release is there; its java. */
    static Path copy(Path javaHome, Path libDir) {
        Path target = libDir.resolve(DIR);
        Path java = target.resolve("bin/java");
        try {
            if (Files.isExecutable(java) && sameRelease(javaHome, target)) {
                return java;
            }
            Path tmp = libDir.resolve("." + DIR + ".tmp");
            DirectoryTree.deleteQuietly(tmp);
            copyTree(javaHome, tmp);
            DirectoryTree.deleteQuietly(target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return java;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the Java runtime " + javaHome + " into " + target + ": " + e.getMessage(), e);
        }
    }

    private static boolean sameRelease(Path a, Path b) throws IOException {
        Path ra = a.resolve("release"), rb = b.resolve("release");
        return Files.isRegularFile(ra) && Files.isRegularFile(rb) && Files.mismatch(ra, rb) == -1
                && Files.size(a.resolve("lib/modules")) == Files.size(b.resolve("lib/modules"));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                // A JDK's legal/ and man/ are links into /usr/share on Debian: follow them (a copy must stand alone).
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
        if (!Files.isExecutable(to.resolve("bin/java"))) {
            throw new IOException("no bin/java in the copy");
        }
    }
}
