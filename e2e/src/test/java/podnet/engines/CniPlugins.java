package podnet.engines;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A directory of CNI plugin executables ({@code bridge}, {@code host-local}, {@code portmap}, {@code loopback})
 * that the engines are pointed at. The reference Go plugins are the control. podnet's set is,
 * by the system property {@value #PROPERTY}: unset, podnet's plugins from this build, written
 * by its own installer (as {@code podnet cni install --bin-dir DIR} does) into a temporary
 * directory; a directory, the plugins already installed there; {@code none}, left out.
 */
public record CniPlugins(String label, Path dir) {
    public static final String PROPERTY = "podnet.cni.bin";
    public static final Path REFERENCE_DIR = Path.of("/usr/lib/cni");
    static final List<String> NEEDED = List.of("bridge", "host-local", "portmap", "loopback");

    /** The JUnit parameter source: every plugin set available on this machine. */
    public static Stream<CniPlugins> available() {
        String property = System.getProperty(PROPERTY);
        if (property == null || property.isBlank()) {
            property = BuiltPlugins.dir().toString();
        } else if (property.equals("none")) {
            property = null;
        }
        return sets(property, REFERENCE_DIR).stream();
    }

    static List<CniPlugins> sets(String podnetDir, Path referenceDir) {
        List<CniPlugins> sets = new ArrayList<>();
        if (new CniPlugins("reference", referenceDir).missing().isEmpty()) {
            sets.add(new CniPlugins("reference", referenceDir));
        }
        if (podnetDir != null && !podnetDir.isBlank()) {
            CniPlugins podnet = new CniPlugins("podnet", Path.of(podnetDir).toAbsolutePath());
            if (!podnet.missing().isEmpty()) {
                // A named directory that lacks a plugin is a broken setup, not a reason to skip.
                throw new IllegalStateException("-D" + PROPERTY + "=" + podnetDir
                        + " lacks the executables " + podnet.missing());
            }
            sets.add(podnet);
        }
        return sets;
    }

    /** The needed plugins that are not executable files in {@link #dir()}. */
    public List<String> missing() {
        return NEEDED.stream().filter(p -> !Files.isExecutable(dir.resolve(p))).toList();
    }

    @Override
    public String toString() {
        return label + " (" + dir + ")";
    }
}
