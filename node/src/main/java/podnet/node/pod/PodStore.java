package podnet.node.pod;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import podnet.linux.fs.DirectoryTree;
import podnet.node.state.JsonFile;

/**
 * Pod records on disk: {@code <state>/pods/<name>/} holds {@code pod.json}, the containers'
 * logs and exit codes, and the pinned uts/ipc namespaces ({@code ns/}). Creating the directory
 * is what claims a name, so two {@code pod run}s of one name cannot both proceed.
 */
public final class PodStore {
    private final Path pods;

    public PodStore(Path stateDir) {
        this.pods = stateDir.resolve("pods");
    }

    public Path dir(String pod) {
        return pods.resolve(pod);
    }

    /** Claims {@code pod}'s directory; false if a pod of that name exists. */
    boolean claim(String pod) {
        try {
            Files.createDirectories(pods);
            Files.createDirectory(dir(pod));
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("create " + dir(pod), e);
        }
    }

    public boolean exists(String pod) {
        return Files.isDirectory(dir(pod));
    }

    /** Writes the record atomically (a crash leaves the old or the new one, never half). */
    void save(PodRecord r) {
        Path file = dir(r.id()).resolve("pod.json");
        JsonFile.write(file, r.toJson());
    }

    public Optional<PodRecord> load(String pod) {
        Path file = dir(pod).resolve("pod.json");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(PodRecord.fromJson(JSON.std.mapFrom(Files.readString(file))));
        } catch (IOException | RuntimeException e) {
            throw new PodException("pod " + pod + ": unreadable record " + file + ": " + e.getMessage(),
                    "remove it with `podnet pod rm " + pod + "`", e);
        }
    }

    /** Every pod with a record, by name. */
    public List<PodRecord> list() {
        if (!Files.isDirectory(pods)) {
            return List.of();
        }
        List<PodRecord> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(pods)) {
            for (Path p : s.sorted().toList()) {
                load(p.getFileName().toString()).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("list " + pods, e);
        }
        out.sort(Comparator.comparing(PodRecord::name));
        return out;
    }

    /** Removes the pod's directory (its namespaces must be unmounted first). */
    void delete(String pod) {
        DirectoryTree.delete(dir(pod));
    }
}
