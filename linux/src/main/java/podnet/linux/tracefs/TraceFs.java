package podnet.linux.tracefs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import podnet.linux.sys.DetachedMount;
import podnet.linux.sys.SysException;

/**
 * Access to tracefs. Preferably a detached mount of our own (fsmount: no mount point, nothing
 * to unmount, gone even if we are SIGKILLed); where the new mount API is unavailable, an
 * existing tracefs mount of this mount namespace. tracefs has a single superblock, so
 * instances made through either are the same instances.
 */
public final class TraceFs implements AutoCloseable {
    private final Path root;
    private final DetachedMount mount;

    private TraceFs(Path root, DetachedMount mount) {
        this.root = root;
        this.mount = mount;
    }

    /** Opens tracefs, or fails saying why (not root, no tracefs in this kernel). */
    public static TraceFs open() {
        try {
            DetachedMount m = DetachedMount.create("tracefs");
            return new TraceFs(m.root(), m);
        } catch (SysException e) {
            Optional<Path> existing = mounted();
            if (existing.isPresent()) {
                return new TraceFs(existing.get(), null);
            }
            throw new SysException("mount tracefs (" + e.call() + "; and no tracefs is mounted here)",
                    e.errno(), e.kernelMessage());
        }
    }

    /** A tracefs mount point listed in /proc/self/mounts, if any. */
    static Optional<Path> mounted() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/mounts"))) {
            return lines.map(l -> l.split(" ")).filter(f -> f.length > 2 && "tracefs".equals(f[2]))
                    .map(f -> Path.of(f[1].replace("\\040", " "))).filter(p -> Files.isDirectory(p.resolve("instances")))
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public Path root() {
        return root;
    }

    public Path instances() {
        return root.resolve("instances");
    }

    /** The names of all instances (ours and everyone else's). */
    public List<String> instanceNames() {
        try (Stream<Path> s = Files.list(instances())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("list " + instances(), e);
        }
    }

    /** An event's {@code format} file, read from the top level (formats are the same everywhere). */
    public EventFormat format(String system, String event) {
        Path f = root.resolve("events").resolve(system).resolve(event).resolve("format");
        try {
            return EventFormat.parse(Files.readString(f));
        } catch (IOException e) {
            throw new UncheckedIOException("no tracepoint " + system + ":" + event + " (" + f + ")", e);
        }
    }

    @Override
    public void close() {
        if (mount != null) {
            mount.close();
        }
    }
}
