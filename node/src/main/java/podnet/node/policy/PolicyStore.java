package podnet.node.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import podnet.linux.fs.AtomicFile;
import podnet.node.state.JsonFile;

/**
 * The node's NetworkPolicies on disk, {@code <state>/policies/<ns>/<name>.json}: the validated
 * manifest as given (with its namespace filled in), read back through the same validation.
 * Policies of a namespace that does not exist yet are kept like any other.
 *
 * <p>Parsing is what reading costs, so a process keeps what it parsed: every change writes a new
 * token to {@code <state>/policies/.generation} (after the policy file), and {@link #list}
 * returns the policies it read before while the token is the same; after a change it reads the
 * files again and parses only those whose text changed.
 */
public final class PolicyStore {
    private static final Map<Path, Snapshot> READ = new ConcurrentHashMap<>();

    private record Parsed(String text, NetworkPolicy policy) {}

    private record Snapshot(String generation, List<NetworkPolicy> policies, Map<Path, Parsed> files) {}

    private final Path dir;
    private final Path generation;

    public PolicyStore(Path stateDir) {
        this.dir = stateDir.resolve("policies").toAbsolutePath().normalize();
        this.generation = dir.resolve(".generation");
    }

    public void save(NetworkPolicy p) {
        Path f = file(p.namespace(), p.name());
        JsonFile.write(f, p.manifest());
        changed();
    }

    public Optional<NetworkPolicy> get(String ns, String name) {
        Path f = file(ns, name);
        return Files.exists(f) ? Optional.of(read(f, ns)) : Optional.empty();
    }

    /** Removes the policy; false when there was none. */
    public boolean delete(String ns, String name) {
        try {
            if (!Files.deleteIfExists(file(ns, name))) {
                return false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("delete " + file(ns, name), e);
        }
        changed();
        return true;
    }

    /** Every stored policy, by namespace and name. */
    public List<NetworkPolicy> list() {
        String gen = readGeneration();
        Snapshot last = READ.get(dir);
        if (gen != null && last != null && gen.equals(last.generation())) {
            return last.policies();
        }
        List<NetworkPolicy> out = new ArrayList<>();
        Map<Path, Parsed> files = new HashMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> nss = Files.list(dir)) {
            for (Path nsDir : nss.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> fs = Files.list(nsDir)) {
                    for (Path f : fs.sorted().toList()) {
                        if (!f.getFileName().toString().endsWith(".json")) {
                            continue;
                        }
                        String text = Files.readString(f);
                        Parsed before = last == null ? null : last.files().get(f);
                        Parsed now = before != null && before.text().equals(text) ? before
                                : new Parsed(text, parse(f, text, nsDir.getFileName().toString()));
                        files.put(f, now);
                        out.add(now.policy());
                    }
                }
            }
        } catch (NoSuchFileException e) {
            return list(); // a file or directory went away while listing: a change, read again
        } catch (IOException e) {
            throw new UncheckedIOException("list " + dir, e);
        }
        List<NetworkPolicy> policies = List.copyOf(out);
        if (gen != null) {
            READ.put(dir, new Snapshot(gen, policies, files));
        }
        return policies;
    }

    private static NetworkPolicy read(Path f, String ns) {
        try {
            return parse(f, Files.readString(f), ns);
        } catch (IOException e) {
            throw new UncheckedIOException("read " + f, e);
        }
    }

    private static NetworkPolicy parse(Path f, String text, String ns) {
        try {
            return PolicyManifest.parse(text, ns, true).getFirst();
        } catch (PolicyException e) {
            throw new PolicyException("stored policy " + f + " is unreadable: " + e.getMessage(),
                    "delete it with `podnet policy delete " + ns + "/" + f.getFileName().toString().replace(".json", "") + "`");
        }
    }

    /** A new token: no reader's snapshot matches it any more. */
    private void changed() {
        AtomicFile.write(generation, Long.toHexString(System.nanoTime()) + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    }

    private String readGeneration() {
        try {
            return Files.readString(generation);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("read " + generation, e);
        }
    }

    private Path file(String ns, String name) {
        return dir.resolve(ns).resolve(name + ".json");
    }
}
