package podnet.cni.build;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The jars (or class directories, in a build tree) the plugins run from, as absolute paths. */
public final class PluginClasspath {
    private PluginClasspath() {}

    public static List<Path> of() {
        Set<Path> out = new LinkedHashSet<>();
        // This module's code, the Linux layer, and jackson-jr with its core: nothing else.
        for (Class<?> c : List.of(PluginClasspath.class, podnet.linux.ns.Netns.class,
                com.fasterxml.jackson.jr.ob.JSON.class, com.fasterxml.jackson.core.JsonFactory.class)) {
            try {
                out.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath());
            } catch (URISyntaxException | NullPointerException e) {
                throw new IllegalStateException("cannot locate the jar of " + c.getName(), e);
            }
        }
        return List.copyOf(out);
    }
}
