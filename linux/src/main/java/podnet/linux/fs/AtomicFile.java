package podnet.linux.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writing a state file so that a crash or a concurrent reader sees the old content or the new,
 * never half: the text goes to a temp file in the same directory, which is then renamed over
 * the file (atomic on one file system; a plain replace where the file system cannot).
 */
public final class AtomicFile {
    private AtomicFile() {}

    /** Writes {@code text} to {@code file}, creating its directory if needed. */
    public static void write(Path file, String text) {
        Path tmp = null;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
            Files.writeString(tmp, text);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            try {
                if (tmp != null) {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException ignored) {
                // the write failed already; that is what gets reported
            }
            throw new UncheckedIOException("write " + file + ": " + e.getMessage(), e);
        }
    }
}
