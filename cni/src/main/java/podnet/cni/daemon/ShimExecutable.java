package podnet.cni.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import podnet.cni.build.InstalledBuild;

/**
 * The exec shim the warm-up calls podnetd through, so that the first real call finds the socket
 * path (accept, request, caller pidfd, setns, reply) warm and the AOT training sees it: the
 * installed {@code bridge} next to {@code podnet-lib/}, else the build's {@code cni/target/podnet-shim}.
 * Only an ELF file counts: without cc the installed plugins are scripts that run the one-shot JVM.
 */
final class ShimExecutable {
    private ShimExecutable() {}

    static Optional<Path> find(List<Path> classpath) {
        List<Path> candidates = new ArrayList<>();
        for (Path p : classpath) {
            Path dir = p.getParent();
            if (dir == null) {
                continue;
            }
            Path lib = dir.getParent();
            if (lib != null && lib.getFileName() != null && lib.getFileName().toString().equals(InstalledBuild.LIB_DIR)
                    && lib.getParent() != null) {
                candidates.add(lib.getParent().resolve("bridge"));
            }
            candidates.add(dir.resolve("podnet-shim")); // a build tree: cni/target/classes or the jar beside it
        }
        return candidates.stream().filter(ShimExecutable::isElf).findFirst();
    }

    static boolean isElf(Path p) {
        if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(p)) {
            byte[] m = in.readNBytes(4);
            return m.length == 4 && m[0] == 0x7f && m[1] == 'E' && m[2] == 'L' && m[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }
}
