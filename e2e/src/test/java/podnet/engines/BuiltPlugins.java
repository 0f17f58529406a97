package podnet.engines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import podnet.cni.install.Installer;

/**
 * podnet's plugins from this build, installed once per test JVM by podnet's own installer into
 * a temporary directory that is removed when the JVM exits.
 */
final class BuiltPlugins {
    private BuiltPlugins() {}

    private static final class Holder {
        static final Path DIR = install();
    }

    static Path dir() {
        return Holder.DIR;
    }

    private static Path install() {
        try {
            Path dir = Files.createTempDirectory("podnet-e2e-cni-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
            List<Path> written = Installer.install(dir, null);
            if (written.size() != CniPlugins.NEEDED.size()) {
                throw new IllegalStateException("podnet's installer wrote " + written);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // Best effort at JVM exit: a temp dir of three small scripts.
        }
    }
}
