package podnet.cni.install;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import podnet.cni.PluginRunner;

/**
 * Writes the CNI executables (for now small shell scripts that start this JDK on
 * {@code PluginMain}) and, optionally, the default conflist.
 */
public final class Installer {
    private Installer() {}

    public static final String CONFLIST_NAME = "10-podnet.conflist";
    static final String JVM_FLAGS = "--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
            + " -Xshare:auto -Xlog:disable -Xlog:all=warning:stderr";

    /** Installs into {@code binDir} (and {@code confDir} when not null); returns the files written. */
    public static List<Path> install(Path binDir, Path confDir) {
        Path java = javaBinary();
        String cp = String.join(":", classpath().stream().map(Path::toString).toList());
        List<Path> written = new ArrayList<>();
        for (String plugin : PluginRunner.PLUGINS) {
            String script = "#!/bin/sh\n"
                    + "# podnet CNI plugin \"" + plugin + "\", written by `podnet cni install`.\n"
                    + "exec " + quote(java.toString()) + " " + JVM_FLAGS + " -cp " + quote(cp)
                    + " podnet.cni.PluginMain " + plugin + "\n";
            written.add(writeAtomically(binDir.resolve(plugin), script, "rwxr-xr-x"));
        }
        if (confDir != null) {
            written.add(writeAtomically(confDir.resolve(CONFLIST_NAME), defaultConflist(), "rw-r--r--"));
        }
        return written;
    }

    public static String defaultConflist() {
        return """
                {
                  "cniVersion": "1.0.0",
                  "cniVersions": ["0.4.0", "1.0.0", "1.1.0"],
                  "name": "podnet",
                  "plugins": [
                    {
                      "type": "bridge",
                      "bridge": "cni0",
                      "isGateway": true,
                      "ipMasq": true,
                      "hairpinMode": true,
                      "ipam": {
                        "type": "host-local",
                        "ranges": [[{"subnet": "10.244.2.0/24"}]],
                        "routes": [{"dst": "0.0.0.0/0"}]
                      }
                    },
                    {
                      "type": "loopback"
                    }
                  ]
                }
                """;
    }

    /** The running JDK's java, found now so the scripts never depend on PATH. */
    static Path javaBinary() {
        Path home = Path.of(System.getProperty("java.home"));
        Path java = home.resolve("bin/java");
        if (!Files.isExecutable(java)) {
            throw new IllegalStateException("no java executable at " + java);
        }
        return java.toAbsolutePath();
    }

    /** The jars (or class directories) the plugins need, as absolute paths. */
    static List<Path> classpath() {
        Set<Path> out = new LinkedHashSet<>();
        for (Class<?> c : List.of(PluginRunner.class, podnet.linux.ns.Netns.class,
                com.fasterxml.jackson.jr.ob.JSON.class, com.fasterxml.jackson.core.JsonFactory.class)) {
            try {
                out.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath());
            } catch (URISyntaxException | NullPointerException e) {
                throw new IllegalStateException("cannot locate the jar of " + c.getName(), e);
            }
        }
        return List.copyOf(out);
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static Path writeAtomically(Path target, String content, String perms) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            try {
                Files.writeString(tmp, content, StandardCharsets.UTF_8);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(perms));
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
