package podnet.cni.install;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import podnet.cni.PluginRunner;
import podnet.cni.build.BuildId;
import podnet.cni.build.InstalledBuild;
import podnet.cni.build.PluginClasspath;

/**
 * Writes the CNI executables and, optionally, the default conflist. Each executable is the exec
 * shim (a copy of the small C program that forwards the call to podnetd) when the build had cc,
 * else a script; either way, without podnetd the call runs in a fresh JVM through
 * {@value #ONESHOT}, which uses an AOT cache trained here by a real ADD.
 */
public final class Installer {
    private Installer() {}

    public static final String CONFLIST_NAME = "10-podnet.conflist";
    /** The one-shot launcher the shim falls back to: {@code podnet-oneshot PLUGIN}. */
    public static final String ONESHOT = "podnet-oneshot";
    /** podnetd's launcher, which the shim starts when no podnetd listens: {@code podnetd [--socket P] [--idle-exit S]}. */
    public static final String DAEMON = "podnetd";
    static final String JVM_FLAGS = "--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
            + " -Xlog:disable -Xlog:all=warning:stderr";
    /**
     * podnetd lives long and serves small calls: a bounded heap and few malloc arenas keep it
     * around 60-70 MiB RSS (the same as ./podnet gives `podnet daemon run`).
     */
    static final String DAEMON_FLAGS = JVM_FLAGS
            + " -Xms8m -Xmx64m -Xss256k -XX:ReservedCodeCacheSize=32m -XX:MaxMetaspaceSize=96m";

    /** Installs into {@code binDir} (and {@code confDir} when not null); returns the files written. */
    public static List<Path> install(Path binDir, Path confDir) {
        return install(binDir, confDir, NodeConflist.DEFAULT, false, System.err);
    }

    /**
     * Installs the executables, and with {@code confDir} the conflist for {@code network}. An
     * existing conflist that differs is refused (before anything is written) unless {@code force}:
     * on a real node it is the cluster's network definition.
     */
    public static List<Path> install(Path binDir, Path confDir, NodeConflist network, boolean force,
            java.io.PrintStream log) {
        return install(binDir, confDir, network, force, AutoStart.DEFAULT, log);
    }

    /** {@link #install(Path, Path, NodeConflist, boolean, java.io.PrintStream)} with the shims' {@link AutoStart} settings. */
    public static List<Path> install(Path binDir, Path confDir, NodeConflist network, boolean force, AutoStart autoStart,
            java.io.PrintStream log) {
        return install(binDir, confDir, network, force, autoStart, false, log);
    }

    /**
     * With {@code selfContained}, the Java runtime is copied beside the jars ({@link HostRuntime})
     * and the scripts name every file relative to their own directory: the bin dir may be seen
     * under another path by the ones who run it (a container writes /host/opt/cni/bin, the host
     * runs /opt/cni/bin), where no JDK need exist.
     */
    public static List<Path> install(Path binDir, Path confDir, NodeConflist network, boolean force, AutoStart autoStart,
            boolean selfContained, java.io.PrintStream log) {
        String conflist = network.conflist();
        if (confDir != null && !force) {
            Path existing = confDir.resolve(CONFLIST_NAME);
            try {
                if (Files.exists(existing) && !Files.readString(existing).equals(conflist)) {
                    throw new IllegalStateException(existing + " exists and differs from the one podnet would write;"
                            + " keep it, or pass --force to replace it");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + existing, e);
            }
        }
        List<Path> built = PluginClasspath.of();
        if (selfContained && built.stream().anyMatch(Files::isDirectory)) { // before anything is copied
            throw new IllegalStateException("a self-contained install needs the plugin jars, not class directories;"
                    + " build them with mvn package");
        }
        List<Path> classpath = PluginJars.install(binDir, built, log);
        Path java = selfContained ? HostRuntime.copy(Path.of(System.getProperty("java.home")), classpath.getFirst().getParent())
                : javaBinary();
        // The scripts' paths: absolute, or from "$d", the scripts' own directory.
        java.util.function.Function<Path, String> named = selfContained
                ? p -> "\"$d\"/" + quote(binDir.toAbsolutePath().relativize(p.toAbsolutePath()).toString())
                : p -> quote(p.toString());
        String here = selfContained ? "d=${0%/*}; [ \"$d\" != \"$0\" ] || d=.\n" : "";
        String cp = String.join(":", classpath.stream().map(named).toList());
        byte[] trailer = InstalledBuild.trailer(BuildId.of(classpath));
        List<Path> written = new ArrayList<>();
        // The executables first: the AOT training ADD below finds its host-local among them.
        // Found beside the build's jars: the copies in the bin dir have no shim next to them.
        java.util.Optional<Path> shim = ShimBinary.find(built);
        for (String plugin : PluginRunner.PLUGINS) {
            if (shim.isPresent()) {
                written.add(copyAtomically(shim.get(), trailer, binDir.resolve(plugin)));
            } else {
                String script = "#!/bin/sh\n"
                        + "# podnet CNI plugin \"" + plugin + "\" (no shim: cc was missing at build time).\n"
                        + "exec \"$(dirname \"$0\")/" + ONESHOT + "\" " + plugin + "\n";
                written.add(writeAtomically(binDir.resolve(plugin), concat(script.getBytes(StandardCharsets.UTF_8), trailer),
                        "rwxr-xr-x"));
            }
        }
        // An AOT cache is bound to the paths it was trained at: one trained in a container at
        // /host/opt/cni/bin made the host's one-shot ADD at /opt/cni/bin fail (ExceptionInInitializerError).
        // A self-contained install, whose paths differ where it runs, trains none.
        Path aot = selfContained ? null : AotCache.ensure(java, classpath, JVM_FLAGS, binDir, log);
        String oneshot = "#!/bin/sh\n"
                + "# podnet's one-shot plugin path (a fresh JVM per call), written by `podnet cni install`.\n"
                + here
                + "exec " + named.apply(java) + " " + JVM_FLAGS
                + (aot != null ? " -XX:AOTCache=" + named.apply(aot) : "")
                + " -cp " + cp + " podnet.cni.PluginMain \"$1\"\n";
        written.add(writeAtomically(binDir.resolve(ONESHOT), oneshot, "rwxr-xr-x"));
        Path daemonAot = selfContained ? null : AotCache.ensureDaemon(java, classpath, DAEMON_FLAGS, log);
        String podnetd = "#!/bin/sh\n"
                + "# podnetd, the warm agent behind the CNI executables, written by `podnet cni install`;\n"
                + "# the shim starts it when none listens (see " + AutoStart.FILE + ").\n"
                + "export MALLOC_ARENA_MAX=2\n"
                + here
                + "exec " + named.apply(java) + " " + DAEMON_FLAGS
                + (daemonAot != null ? " -XX:AOTCache=" + named.apply(daemonAot) : "")
                + " -cp " + cp + " podnet.cni.daemon.PodnetdMain \"$@\"\n";
        written.add(writeAtomically(binDir.resolve(DAEMON), podnetd, "rwxr-xr-x"));
        written.add(writeAtomically(binDir.resolve(AutoStart.FILE), autoStart.file(), "rw-r--r--"));
        if (confDir != null) {
            written.add(writeAtomically(confDir.resolve(CONFLIST_NAME), conflist, "rw-r--r--"));
        }
        PluginJars.removeOthers(binDir, classpath, log);
        return written;
    }

    /** Copies the shim with the build's trailer appended (the ELF loader ignores trailing bytes). */
    private static Path copyAtomically(Path source, byte[] trailer, Path target) {
        try {
            return writeAtomically(target, concat(Files.readAllBytes(source), trailer), "rwxr-xr-x");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source, e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
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

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static Path writeAtomically(Path target, String content, String perms) {
        return writeAtomically(target, content.getBytes(StandardCharsets.UTF_8), perms);
    }

    private static Path writeAtomically(Path target, byte[] content, String perms) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            try {
                Files.write(tmp, content);
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
