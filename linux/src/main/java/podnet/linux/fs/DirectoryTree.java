package podnet.linux.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing a directory with everything under it (state dirs, temp dirs, old installs). */
public final class DirectoryTree {
    private DirectoryTree() {}

    /**
     * Deletes {@code dir} and its contents, deepest first; a missing {@code dir} is fine. Does
     * not cross into mounts' contents any differently from rm -r: unmount first.
     */
    public static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("remove " + dir + ": " + e.getMessage(), e);
        }
    }

    /** {@link #delete} for cleanup paths (temp dirs): a failure is not worth another error. */
    public static void deleteQuietly(Path dir) {
        try {
            delete(dir);
        } catch (UncheckedIOException ignored) {
            // best effort; the original outcome is what matters
        }
    }
}
