package podnet.cni.install;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import podnet.cni.build.BuildId;
import podnet.cni.build.InstalledBuild;
import podnet.linux.fs.DirectoryTree;

/**
 * The installed plugins' own copy of their jars, under {@code <binDir>/podnet-lib/<build id>/}.
 * A rebuild of the source tree then cannot change what an installed plugin runs, nor pair new
 * jars with an AOT cache trained on the old ones (which JDK 25 would use silently). Class
 * directories (a test run) are used in place.
 */
final class PluginJars {
    static final String LIB = InstalledBuild.LIB_DIR;

    private PluginJars() {}

    static List<Path> install(Path binDir, List<Path> classpath, PrintStream log) {
        if (classpath.stream().anyMatch(Files::isDirectory)) {
            return classpath;
        }
        String id = BuildId.of(classpath);
        Path lib = binDir.resolve(LIB);
        Path dir = lib.resolve(id);
        try {
            Files.createDirectories(dir);
            List<Path> copied = new ArrayList<>();
            for (Path jar : classpath) {
                Path target = dir.resolve(jar.getFileName());
                if (!Files.exists(target) || Files.size(target) != Files.size(jar)) {
                    Path tmp = dir.resolve("." + jar.getFileName() + ".tmp");
                    Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
                copied.add(target);
            }
            return copied;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the plugin jars into " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes the build directories other than the one {@code classpath} lives in; called once
     * the new executables are in place, so no call ever finds its jars gone.
     */
    static void removeOthers(Path binDir, List<Path> classpath, PrintStream log) {
        Path lib = binDir.resolve(LIB);
        Path current = classpath.getFirst().getParent();
        if (!Files.isDirectory(lib) || !current.startsWith(lib)) {
            return;
        }
        try (Stream<Path> builds = Files.list(lib)) {
            for (Path old : builds.filter(p -> !p.equals(current)).toList()) {
                DirectoryTree.delete(old);
                log.println("podnet: removed the previous install " + old);
            }
        } catch (IOException | UncheckedIOException e) {
            log.println("podnet: could not remove old installs in " + lib + ": " + e.getMessage());
        }
    }
}
