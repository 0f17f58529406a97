package podnet.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/** Machine output for {@code -j}: one JSON document (maps and lists) on one line. */
final class JsonOutput {
    private JsonOutput() {}

    static String write(Object value) {
        try {
            return JSON.std.asString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void print(PrintStream out, Object value) {
        out.println(write(value));
        out.flush();
    }
}
