package podnet.node.namespace;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import podnet.node.state.JsonFile;

/**
 * The node's namespaces and their labels, one file each: {@code <state>/namespaces/<ns>.json}.
 * A namespace exists once a pod runs in it or it is labelled or created; {@code default} always
 * exists. Every namespace carries {@code kubernetes.io/metadata.name=<ns>}, as the API server sets it.
 */
public final class NamespaceStore {
    public static final String DEFAULT = "default";
    public static final String NAME_LABEL = "kubernetes.io/metadata.name";
    private static final String DNS_LABEL = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";

    private final Path dir;

    public NamespaceStore(Path stateDir) {
        this.dir = stateDir.resolve("namespaces");
    }

    /** A namespace: its name and labels (with the automatic name label). */
    public record Namespace(String name, Map<String, String> labels) {
        public Namespace {
            Map<String, String> all = new TreeMap<>(labels);
            all.put(NAME_LABEL, name);
            labels = Map.copyOf(all);
        }
    }

    public static void checkName(String ns) {
        if (ns == null || !ns.matches(DNS_LABEL)) {
            throw new IllegalArgumentException("invalid namespace name \"" + ns
                    + "\": use lower-case letters, digits and '-', at most 63 characters (a DNS label)");
        }
    }

    public Optional<Namespace> get(String ns) {
        Optional<Namespace> n = read(ns);
        return n.isPresent() || !DEFAULT.equals(ns) ? n : Optional.of(new Namespace(ns, Map.of()));
    }

    /** The namespace's record; empty when it has none (one open, no stat first: a pod's ADD reads it). */
    private Optional<Namespace> read(String ns) {
        Path f = file(ns);
        try {
            Map<String, Object> m = JSON.std.mapFrom(Files.readString(f));
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.get("labels") instanceof Map<?, ?> l) {
                l.forEach((k, v) -> labels.put(String.valueOf(k), String.valueOf(v)));
            }
            return Optional.of(new Namespace(ns, labels));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("read " + f, e);
        }
    }

    public boolean exists(String ns) {
        return get(ns).isPresent();
    }

    /** Creates the namespace if it has no record; returns it. */
    public Namespace ensure(String ns) {
        checkName(ns);
        Optional<Namespace> n = read(ns);
        if (n.isPresent()) {
            return n.get();
        }
        Namespace fresh = new Namespace(ns, Map.of());
        save(fresh);
        return fresh;
    }

    /** Sets {@code set} and removes {@code remove} (keys); the name label cannot be changed. */
    public Namespace label(String ns, Map<String, String> set, List<String> remove) {
        if (set.containsKey(NAME_LABEL) && !set.get(NAME_LABEL).equals(ns) || remove.contains(NAME_LABEL)) {
            throw new IllegalArgumentException(NAME_LABEL + " is set by podnet to the namespace's name");
        }
        Map<String, String> labels = new TreeMap<>(ensure(ns).labels());
        labels.putAll(set);
        remove.forEach(labels::remove);
        Namespace n = new Namespace(ns, labels);
        save(n);
        return n;
    }

    public List<Namespace> list() {
        Map<String, Namespace> out = new TreeMap<>();
        out.put(DEFAULT, get(DEFAULT).orElseThrow());
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    String f = p.getFileName().toString();
                    if (f.endsWith(".json")) {
                        String ns = f.substring(0, f.length() - 5);
                        get(ns).ifPresent(n -> out.put(ns, n));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("list " + dir, e);
            }
        }
        return new ArrayList<>(out.values());
    }

    /** Forgets the namespace (the caller checks that no pod is left in it). */
    public void delete(String ns) {
        try {
            Files.deleteIfExists(file(ns));
        } catch (IOException e) {
            throw new UncheckedIOException("delete " + file(ns), e);
        }
    }

    private Path file(String ns) {
        checkName(ns);
        return dir.resolve(ns + ".json");
    }

    private void save(Namespace n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", n.name());
        Map<String, String> own = new TreeMap<>(n.labels());
        own.remove(NAME_LABEL);
        m.put("labels", own);
        Path f = file(n.name());
        JsonFile.write(f, m);
    }
}
