package podnet.engines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A plugin directory whose executables log each call ({@code CNI_COMMAND plugin containerID})
 * and then run a copy of another set's plugin. It proves the engines really execute the
 * directory under test, not a copy found on one of their default paths.
 */
public final class TracingPlugins {
    private TracingPlugins() {}

    public record Traced(CniPlugins plugins, Path log) {
        public List<String> calls() throws IOException {
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        }
    }

    public static Traced wrap(CniPlugins target, Path dir) throws IOException {
        Path real = Files.createDirectories(dir.resolve("real"));
        Path log = dir.resolve("calls.log");
        for (String plugin : CniPlugins.NEEDED) {
            // A copy: inside the sandbox the target's own directory may be hidden behind this one.
            Files.copy(target.dir().resolve(plugin), real.resolve(plugin), StandardCopyOption.COPY_ATTRIBUTES);
            Path wrapper = dir.resolve(plugin);
            Files.writeString(wrapper, """
                    #!/bin/sh
                    printf '%%s %%s %%s\\n' "$CNI_COMMAND" %s "$CNI_CONTAINERID" >> %s
                    exec %s "$@"
                    """.formatted(PrivateMounts.quote(plugin), PrivateMounts.quote(log),
                    PrivateMounts.quote(real.resolve(plugin))));
            Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return new Traced(new CniPlugins("traced-" + target.label(), dir), log);
    }
}
