package podnet.engines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * A process's network namespace as its IPv4 FIB shows it ({@code /proc/PID/net/fib_trie}): the
 * local addresses of interfaces that are up, and whether a default route exists. A file read,
 * no fork: a probe cheap enough to poll every millisecond beside the engine under test.
 */
public record FibView(Set<String> localAddresses, boolean defaultRoute) {
    /** The view from {@code pid}'s netns, or empty if the process is gone. */
    public static Optional<FibView> of(long pid) {
        try {
            return Optional.of(parse(Files.readString(Path.of("/proc", Long.toString(pid), "net", "fib_trie"))));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Parses fib_trie: a {@code |-- KEY} line, then one line per prefix of that key ({@code /32 host LOCAL}). */
    static FibView parse(String trie) {
        Set<String> local = new LinkedHashSet<>();
        boolean defaultRoute = false;
        String key = null;
        for (String raw : trie.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("|-- ")) {
                key = line.substring(4).strip();
            } else if (line.startsWith("+--") || line.endsWith(":")) {
                key = null;
            } else if (key != null && line.startsWith("/")) {
                if (line.startsWith("/32 ") && line.endsWith(" LOCAL")) {
                    local.add(key);
                } else if (key.equals("0.0.0.0") && line.startsWith("/0 ") && line.endsWith(" UNICAST")) {
                    defaultRoute = true;
                }
            }
        }
        return new FibView(Set.copyOf(local), defaultRoute);
    }
}
