package podnet.engines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import podnet.cni.install.Installer;
import podnet.linux.fs.DirectoryTree;

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
            for (String plugin : CniPlugins.NEEDED) {
                if (!written.contains(dir.resolve(plugin))) {
                    throw new IllegalStateException("podnet's installer wrote " + written + ", no " + plugin);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The whole tree: the installer also copies the jars into {@code podnet-lib/<build id>/}. */
    private static void delete(Path dir) {
        DirectoryTree.deleteQuietly(dir);
    }
}
