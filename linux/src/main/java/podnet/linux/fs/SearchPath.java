package podnet.linux.fs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds a program as execvp(3) would: a name with a '/' as it is, else in each PATH directory in turn. */
public final class SearchPath {
    private SearchPath() {}

    /** Where PATH is unset (a clean environment). */
    public static final String DEFAULT = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** {@code program} on this process's PATH. */
    public static Optional<Path> find(String program) {
        return find(program, System.getenv("PATH"));
    }

    /** {@code program} on {@code path} (a PATH value; null or empty: {@link #DEFAULT}). */
    public static Optional<Path> find(String program, String path) {
        if (program.contains("/")) {
            Path p = Path.of(program);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        for (String dir : (path == null || path.isEmpty() ? DEFAULT : path).split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
