package podnet.cni.install;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;
import podnet.linux.ns.NsProcess;
import podnet.cni.build.BuildId;
import podnet.linux.fs.DirectoryTree;

/**
 * The JDK 25 AOT cache for the one-shot plugin JVM: classes loaded and linked ahead of time,
 * trained by a real bridge ADD in throwaway namespaces (the classes a real ADD touches, FFM
 * linker and netlink included). The file sits next to the plugin jars and is named by the
 * {@link BuildId} of the classpath it was made from.
 */
final class AotCache {
    private AotCache() {}

    /** A training ADD takes a second or two; a hung one must not hang the install. */
    static final Duration TRAINING_TIMEOUT = Duration.ofSeconds(120);

    static Path file(List<Path> classpath) {
        Path first = classpath.getFirst();
        Path dir = Files.isDirectory(first) ? first.getParent() : first.toAbsolutePath().getParent();
        return dir.resolve("podnet-plugins-" + BuildId.of(classpath) + ".aot");
    }


    /**
     * The cache for this classpath, trained now if missing; null when it cannot be made (not
     * root, say). The training ADD finds host-local in {@code binDir}, as installed calls will.
     */
    static Path ensure(Path javaBin, List<Path> classpath, String jvmFlags, Path binDir, PrintStream log) {
        return ensure(javaBin, classpath, jvmFlags, binDir, log, TRAINING_TIMEOUT);
    }

    /** {@link #ensure(Path, List, String, Path, PrintStream)} with the training run bounded by {@code timeout}. */
    static Path ensure(Path javaBin, List<Path> classpath, String jvmFlags, Path binDir, PrintStream log,
            Duration timeout) {
        Path cache = file(classpath);
        if (Files.isReadable(cache)) {
            return cache;
        }
        if (classpath.stream().anyMatch(Files::isDirectory)) {
            // The JDK archives classes from jars only; a build tree's class directories get none.
            log.println("podnet: the plugins run from class directories, so no AOT cache (build the jars for one)");
            return null;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            log.println("podnet: not root, so no AOT cache was trained; the one-shot path starts slower");
            return null;
        }
        String tag = "podnet-aot-" + Long.toHexString(ProcessHandle.current().pid());
        List<String> made = new ArrayList<>();
        Path dataDir = null;
        try {
            Netns node = NamedNetns.add(tag + "-node");
            made.add(node.name());
            Netns pod = NamedNetns.add(tag + "-pod");
            made.add(pod.name());
            dataDir = Files.createTempDirectory("podnet-aot-ipam");
            String conf = """
                    {"cniVersion":"1.0.0","name":"aot","type":"bridge","bridge":"cni0","isGateway":true,
                     "ipMasq":true,"hairpinMode":true,
                     "ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"10.244.2.0/24"}]],
                             "routes":[{"dst":"0.0.0.0/0"}]}}""".formatted(dataDir);
            List<String> cmd = new ArrayList<>(List.of(javaBin.toString()));
            cmd.addAll(List.of(jvmFlags.split(" ")));
            cmd.addAll(List.of("-cp", String.join(":", classpath.stream().map(Path::toString).toList()),
                    "podnet.cni.PluginMain", "bridge"));
            return train(cache, cmd, java.util.Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "aot-training",
                    "CNI_NETNS", pod.path().toString(), "CNI_IFNAME", "eth0", "CNI_PATH", binDir.toString()),
                    node, conf, "the one-shot path", log, timeout);
        } catch (IOException e) {
            throw new UncheckedIOException("train the AOT cache", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            for (String ns : made.reversed()) {
                NamedNetns.deleteIfExists(ns); // takes cni0, the veth and the nft table with it
            }
            if (dataDir != null) {
                DirectoryTree.deleteQuietly(dataDir);
            }
        }
    }

    /** The daemon's file: named like the plugins' one, for the launcher's JVM flags. */
    static Path daemonFile(List<Path> classpath) {
        return file(classpath).resolveSibling("podnetd-" + BuildId.of(classpath) + ".aot");
    }

    /**
     * The AOT cache of {@code podnetd}, trained if missing by its warm-up (the same ADD, CHECK
     * and DEL cycles a start does, in namespaces that vanish with the training JVM, two of them
     * served through a socket of the training run's own with the installed shim as the caller);
     * null when it cannot be made. {@code jvmFlags} must be the launcher's: a cache is refused by a JVM
     * whose heap or GC settings differ from the training's.
     */
    static Path ensureDaemon(Path javaBin, List<Path> classpath, String jvmFlags, PrintStream log) {
        return ensureDaemon(javaBin, classpath, jvmFlags, log, TRAINING_TIMEOUT);
    }

    /** {@link #ensureDaemon(Path, List, String, PrintStream)} with the training run bounded by {@code timeout}. */
    static Path ensureDaemon(Path javaBin, List<Path> classpath, String jvmFlags, PrintStream log, Duration timeout) {
        Path cache = daemonFile(classpath);
        if (Files.isReadable(cache)) {
            return cache;
        }
        if (classpath.stream().anyMatch(Files::isDirectory) || !"root".equals(System.getProperty("user.name"))) {
            return null; // said once already for the plugins' cache
        }
        List<String> cmd = new ArrayList<>(List.of(javaBin.toString()));
        cmd.addAll(List.of(jvmFlags.split(" ")));
        cmd.addAll(List.of("-cp", String.join(":", classpath.stream().map(Path::toString).toList()),
                "podnet.cni.daemon.PodnetdMain", "--train"));
        try {
            return train(cache, cmd, java.util.Map.of("MALLOC_ARENA_MAX", "2"), Netns.CURRENT, "", "podnetd", log, timeout);
        } catch (IOException e) {
            throw new UncheckedIOException("train the daemon's AOT cache", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Runs {@code cmd} with -XX:AOTCacheOutput in {@code netns}, stdin {@code input}; the cache,
     * or null if it failed or did not finish within {@code timeout} (then it is killed, with
     * whatever it started, and the install goes on without the cache: it is only a speed-up).
     */
    private static Path train(Path cache, List<String> cmd, java.util.Map<String, String> env, Netns netns, String input,
            String what, PrintStream log, Duration timeout) throws IOException, InterruptedException {
        Path tmp = cache.resolveSibling(cache.getFileName() + ".tmp");
        List<String> full = new ArrayList<>(cmd.subList(0, 1));
        full.add("-XX:AOTCacheOutput=" + tmp);
        full.addAll(cmd.subList(1, cmd.size()));
        ProcessBuilder pb = new ProcessBuilder(full).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        Process p = NsProcess.start(netns, pb);
        boolean finished = false;
        try {
            // Stdin and stdout on the side, so that the timeout below fires whatever the child does
            // with its pipes (never reads, writes without end).
            Thread.ofPlatform().daemon().name("aot-stdin").start(() -> {
                try (var in = p.getOutputStream()) {
                    in.write(input.getBytes(StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // it exited early, or was killed; the exit code says so
                }
            });
            var out = CompletableFuture.supplyAsync(() -> {
                try (var is = p.getInputStream()) {
                    byte[] kept = is.readNBytes(1 << 16);
                    is.transferTo(java.io.OutputStream.nullOutputStream()); // a blocked writer would never exit
                    return new String(kept, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "";
                }
            }, r -> Thread.ofPlatform().daemon().name("aot-output").start(r));
            finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (finished && p.exitValue() == 0 && Files.isReadable(tmp)) {
                Files.move(tmp, cache, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return cache;
            }
            String why;
            if (finished) {
                String said = outputOf(out).strip();
                why = p.exitValue() == 0 ? "it wrote no cache" : "exit " + p.exitValue() + (said.isEmpty() ? "" : ": " + said);
            } else {
                why = "no answer within " + timeout.toMillis() / 1000.0 + " s (killed)";
            }
            log.println("podnet: AOT training failed (" + what + " still works, slower): " + why);
            return null;
        } finally {
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly); // before it: orphans are no descendants
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(tmp);
        }
    }

    /** What the training run printed; a grandchild still holding the pipe gets 2 s, then is ignored. */
    private static String outputOf(CompletableFuture<String> out) throws InterruptedException {
        try {
            return out.get(2, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return "";
        }
    }
}
