package podnet.node.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import podnet.linux.fs.DirectoryTree;

/**
 * podnetd's cold start, for a plugin set installed with its {@code podnetd} launcher, each trial
 * on a socket of its own: the first ADD a freshly started daemon serves (the launcher run by
 * hand, waited for until it says it warmed up), and the first ADD of a node with no daemon at all, where
 * the shim starts one and the call waits for it (what the first pod of a node sees).
 */
final class ColdStart {
    private ColdStart() {}

    static final String FIRST_ADD = "ADD, first one a fresh podnetd serves";
    static final String AUTO_START_ADD = "ADD, first one, shim starts podnetd";

    static boolean applies(PluginSet set) {
        return Files.isExecutable(set.dir().resolve("podnetd"));
    }

    /** Samples of both, {@code trials} each, on {@code node}'s workers and pods 0 and 1. */
    static Map<String, List<Long>> measure(BenchNode node, int trials) {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        out.put(FIRST_ADD, new ArrayList<>());
        out.put(AUTO_START_ADD, new ArrayList<>());
        for (int t = 0; t < trials; t++) {
            Path dir;
            try {
                dir = Files.createTempDirectory("podnet-bench-cold");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                Path socket = dir.resolve("podnetd.sock");
                Map<String, String> env = Map.of("PODNET_SOCKET", socket.toString(), "PODNET_AUTOSTART", "0",
                        "PODNET_SHIM_NO_FALLBACK", "1");
                Process d = startDaemon(node.set, socket);
                try {
                    out.get(FIRST_ADD).add(addThenDel(node, "cold-" + t, env));
                } finally {
                    stop(d);
                }
                Path autoSocket = dir.resolve("auto").resolve("podnetd.sock");
                Map<String, String> auto = Map.of("PODNET_SOCKET", autoSocket.toString(), "PODNET_AUTOSTART", "1",
                        "PODNET_SHIM_NO_FALLBACK", "1");
                try {
                    out.get(AUTO_START_ADD).add(addThenDel(node, "auto-" + t, auto));
                } finally {
                    daemonsOn(autoSocket).forEach(ColdStart::stop);
                }
            } finally {
                DirectoryTree.deleteQuietly(dir);
            }
        }
        return out;
    }

    private static long addThenDel(BenchNode node, String id, Map<String, String> env) {
        PluginExec.Call add = node.workers.call(() -> PluginExec.run(node.set, "ADD", id, node.pods.get(0).path(), node.conf, env));
        PluginExec.Call del = node.workers.call(() -> PluginExec.run(node.set, "DEL", id, node.pods.get(0).path(), node.conf, env));
        if (!add.ok() || !del.ok()) {
            throw new IllegalStateException(node.set.label() + " cold " + (add.ok() ? "DEL" : "ADD") + " failed: "
                    + (add.ok() ? del.stdout() : add.stdout()));
        }
        return add.nanos();
    }

    /**
     * The launcher, as the shim would start it, waited for until its warm-up (beside the calls)
     * is over: its "warmed up" line, or "warm-up failed".
     */
    private static Process startDaemon(PluginSet set, Path socket) {
        ProcessBuilder pb = new ProcessBuilder(set.dir().resolve("podnetd").toString(), "--socket", socket.toString(),
                "--idle-exit", "600");
        pb.redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        try {
            Process p = pb.start();
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("podnetd: warmed up") || line.startsWith("podnetd: warm-up failed")) {
                    Thread.ofPlatform().daemon().start(() -> drain(r));
                    return p;
                }
            }
            throw new IllegalStateException("podnetd of " + set.label() + " exited before it warmed up (" + p.waitFor() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void drain(BufferedReader r) {
        try {
            while (r.readLine() != null) {
                // the daemon's log, not needed
            }
        } catch (IOException ignored) {
            // it exited
        }
    }

    private static void stop(Process p) {
        stop(p.toHandle());
    }

    private static void stop(ProcessHandle h) {
        h.destroy(); // SIGTERM: it drains and exits
        try {
            h.onExit().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            h.destroyForcibly();
        }
    }

    /** The podnetd processes serving {@code socket} (the one the shim started has no parent of ours). */
    private static List<ProcessHandle> daemonsOn(Path socket) {
        List<ProcessHandle> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmd.contains("podnet.cni.daemon.PodnetdMain") && cmd.contains(socket.toString())) {
                        ProcessHandle.of(Long.parseLong(p.getFileName().toString())).ifPresent(out::add);
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
