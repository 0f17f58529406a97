package podnet.cni.install;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finds the exec shim the build compiled (cni/target/podnet-shim), if cc was there to compile it. */
final class ShimBinary {
    private ShimBinary() {}

    static Optional<Path> find(List<Path> classpath) {
        List<Path> candidates = new ArrayList<>();
        String home = System.getProperty("podnet.home");
        if (home != null) {
            candidates.add(Path.of(home, "cni", "target", "podnet-shim"));
        }
        for (Path p : classpath) {
            Path dir = Files.isDirectory(p) ? p : p.getParent();
            candidates.add(dir.resolve("podnet-shim"));
            if (dir.getParent() != null) {
                candidates.add(dir.getParent().resolve("podnet-shim"));
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }
}
