package podnet.node.state;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import podnet.linux.fs.AtomicFile;

/** The node's state records (pods, namespaces, policies): pretty JSON, written atomically. */
public final class JsonFile {
    private JsonFile() {}

    /** Writes {@code value} (maps, lists, strings, numbers) to {@code file}; see {@link AtomicFile}. */
    public static void write(Path file, Object value) {
        String text;
        try {
            text = JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(value);
        } catch (IOException e) {
            throw new UncheckedIOException("write " + file + ": " + e.getMessage(), e);
        }
        AtomicFile.write(file, text);
    }
}
