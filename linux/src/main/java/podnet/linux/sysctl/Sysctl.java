package podnet.linux.sysctl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import podnet.linux.ns.Netns;

/**
 * Reads and writes {@code /proc/sys} inside a network namespace. The file must be opened from a
 * thread in that namespace: /proc/sys/net reflects the opener's netns.
 */
public final class Sysctl {
    private Sysctl() {}

    /** {@code net.ipv4.ip_forward} → /proc/sys/net/ipv4/ip_forward; '/' separated keys are taken as is. */
    public static Path path(String key) {
        String rel = key.indexOf('/') >= 0 ? key : key.replace('.', '/');
        Path p = Path.of("/proc/sys").resolve(rel).normalize();
        if (!p.startsWith("/proc/sys/")) {
            throw new IllegalArgumentException("invalid sysctl key \"" + key + "\"");
        }
        return p;
    }

    /** A per-interface key: {@code net.<family>.conf.<ifname>.<name>} (names may contain dots). */
    public static String conf(String family, String ifname, String name) {
        return "net/" + family + "/conf/" + ifname + "/" + name;
    }

    public static String get(Netns netns, String key) {
        Path p = path(key);
        return netns.call(() -> {
            try {
                return read(p);
            } catch (IOException e) {
                throw new UncheckedIOException("sysctl " + key + " in " + netns, e);
            }
        });
    }

    /** Longer than any value we read (a whole line of numbers). */
    private static final int VALUE_LIMIT = 4096;

    /**
     * The value, read from offset 0 in one call: the kernel's integer handlers (proc_dointvec)
     * answer a read at any other offset with EOF, and {@link Files#readString} of a file whose
     * size is 0 reads one byte first and then the rest, which gave "2" for 262144.
     */
    private static String read(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(VALUE_LIMIT);
            while (b.hasRemaining() && ch.read(b) > 0) {
                // a string sysctl may come in pieces; an integer one comes whole in the first read
            }
            return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).strip();
        }
    }

    public static void set(Netns netns, String key, String value) {
        Path p = path(key);
        netns.run(() -> {
            try {
                Files.writeString(p, value, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new UncheckedIOException("sysctl " + key + "=" + value + " in " + netns, e);
            }
        });
    }

    /** Writes only if the value differs; saves a write (and a log line) on the common path. */
    public static void ensure(Netns netns, String key, String value) {
        Path p = path(key);
        netns.run(() -> {
            try {
                if (!read(p).equals(value)) {
                    Files.writeString(p, value, StandardCharsets.US_ASCII);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("sysctl " + key + "=" + value + " in " + netns, e);
            }
        });
    }
}
