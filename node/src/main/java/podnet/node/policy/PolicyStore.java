package podnet.node.policy;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The node's NetworkPolicies on disk, {@code <state>/policies/<ns>/<name>.json}: the validated
 * manifest as given (with its namespace filled in), read back through the same validation.
 * Policies of a namespace that does not exist yet are kept like any other.
 */
public final class PolicyStore {
    private final Path dir;

    public PolicyStore(Path stateDir) {
        this.dir = stateDir.resolve("policies");
    }

    public void save(NetworkPolicy p) {
        Path f = file(p.namespace(), p.name());
        try {
            Files.createDirectories(f.getParent());
            Path tmp = Files.createTempFile(f.getParent(), "." + p.name(), ".tmp");
            Files.writeString(tmp, JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(p.manifest()));
            try {
                Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("write " + f, e);
        }
    }

    public Optional<NetworkPolicy> get(String ns, String name) {
        Path f = file(ns, name);
        return Files.exists(f) ? Optional.of(read(f, ns)) : Optional.empty();
    }

    /** Removes the policy; false when there was none. */
    public boolean delete(String ns, String name) {
        try {
            return Files.deleteIfExists(file(ns, name));
        } catch (IOException e) {
            throw new UncheckedIOException("delete " + file(ns, name), e);
        }
    }

    /** Every stored policy, by namespace and name. */
    public List<NetworkPolicy> list() {
        List<NetworkPolicy> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> nss = Files.list(dir)) {
            for (Path nsDir : nss.sorted().toList()) {
                try (Stream<Path> files = Files.list(nsDir)) {
                    for (Path f : files.sorted().toList()) {
                        if (f.getFileName().toString().endsWith(".json")) {
                            out.add(read(f, nsDir.getFileName().toString()));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("list " + dir, e);
        }
        return out;
    }

    private static NetworkPolicy read(Path f, String ns) {
        try {
            List<NetworkPolicy> ps = PolicyManifest.parse(Files.readString(f), ns, true);
            return ps.getFirst();
        } catch (IOException e) {
            throw new UncheckedIOException("read " + f, e);
        } catch (PolicyException e) {
            throw new PolicyException("stored policy " + f + " is unreadable: " + e.getMessage(),
                    "delete it with `podnet policy delete " + ns + "/" + f.getFileName().toString().replace(".json", "") + "`");
        }
    }

    private Path file(String ns, String name) {
        return dir.resolve(ns).resolve(name + ".json");
    }
}
