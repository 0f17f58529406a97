package podnet.linux.sysctl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import podnet.linux.ns.Netns;
import podnet.linux.sys.FileDescriptor;
import podnet.linux.sys.SysException;

/**
 * Reads and writes {@code /proc/sys} inside a network namespace. The file must be opened from a
 * thread in that namespace: /proc/sys/net reflects the opener's netns. Keys under
 * {@code net/ipv4} and {@code net/ipv6} of the process's own namespace are opened relative to
 * a directory kept open ({@link SysctlDir}): no path walk that grows with the node's namespaces.
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
     * The file, opened from the process's {@link SysctlDir} when the key is under one and the
     * thread is in the process's namespace, else by its whole path.
     */
    private static FileDescriptor open(Path p, int flags) throws IOException {
        try {
            if (p.getNameCount() > 3 && p.getName(1).toString().equals("net")) {
                String family = p.getName(2).toString();
                if (family.equals("ipv4") || family.equals("ipv6")) {
                    Optional<SysctlDir> dir = SysctlDir.ofProcessNetns(family);
                    if (dir.isPresent()) {
                        return dir.get().openKey(p.subpath(3, p.getNameCount()).toString(), flags);
                    }
                }
            }
            return FileDescriptor.open(p, flags, 0);
        } catch (SysException e) {
            throw new IOException(p + ": " + e.getMessage(), e);
        }
    }

    /**
     * The value, read from offset 0 in one call: the kernel's integer handlers (proc_dointvec)
     * answer a read at any other offset with EOF (a reader that starts with one byte gets "2"
     * for 262144).
     */
    private static String read(Path p) throws IOException {
        try (FileDescriptor fd = open(p, FileDescriptor.O_RDONLY); Arena arena = Arena.ofConfined()) {
            MemorySegment b = arena.allocate(VALUE_LIMIT);
            long n = 0;
            while (n < VALUE_LIMIT) {
                int r = fd.read(b.asSlice(n));
                if (r <= 0) {
                    break; // a string sysctl may come in pieces; an integer one comes whole in the first read
                }
                n += r;
            }
            return new String(b.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE),
                    StandardCharsets.US_ASCII).strip();
        } catch (SysException e) {
            throw new IOException(p + ": " + e.getMessage(), e);
        }
    }

    private static void write(Path p, String value) throws IOException {
        try (FileDescriptor fd = open(p, FileDescriptor.O_WRONLY)) {
            fd.write(value.getBytes(StandardCharsets.US_ASCII));
        } catch (SysException e) {
            throw new IOException(p + ": " + e.getMessage(), e);
        }
    }

    public static void set(Netns netns, String key, String value) {
        Path p = path(key);
        netns.run(() -> {
            try {
                write(p, value);
            } catch (IOException e) {
                throw new UncheckedIOException("sysctl " + key + "=" + value + " in " + netns, e);
            }
        });
    }

    /**
     * {@link #ensure}, with the current value already known when {@code known} is present (from
     * netlink: a link's devconf, RTM_GETNETCONF): then nothing is read, and nothing written if it
     * is {@code value}.
     */
    public static void ensure(Netns netns, String key, String value, OptionalInt known) {
        if (known.isEmpty()) {
            ensure(netns, key, value);
        } else if (!Integer.toString(known.getAsInt()).equals(value)) {
            set(netns, key, value);
        }
    }

    /** Writes only if the value differs; saves a write (and a log line) on the common path. */
    public static void ensure(Netns netns, String key, String value) {
        Path p = path(key);
        netns.run(() -> {
            try {
                if (!read(p).equals(value)) {
                    write(p, value);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("sysctl " + key + "=" + value + " in " + netns, e);
            }
        });
    }
}
