package podnet.cni.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import podnet.cni.CniResponse;
import podnet.cni.PluginRunner;
import podnet.cni.spec.Delegation;
import podnet.linux.fs.DirectoryTree;
import podnet.linux.ns.AnonymousNetns;
import podnet.linux.ns.NsThread;

/**
 * What a fresh podnetd does beside its first calls: ADD, CHECK and DEL cycles of the bridge
 * plugin (host-local, gateway, masquerade) in two namespaces of its own that nobody else sees
 * and that vanish with it (see {@link AnonymousNetns}), so that the classes, the FFM stubs and
 * the JIT's first compilations are in place when the first pods come. Two of the cycles go
 * through the daemon's socket with the exec shim as the caller ({@link Through}), for what only
 * a served call touches (accept, the request, the caller's pidfd and namespaces, the reply).
 * It yields to real calls: no cycle starts while one is being served, and its caller may end it
 * early (podnetd does at the first real call: its link churn slowed the runtime's next pods, and
 * resumes it once the node is quiet again, see {@link PodnetdMain#warmUp}). The same run, with
 * {@code -XX:AOTCacheOutput}, trains the daemon's AOT cache at install time.
 */
final class Warmup {
    private Warmup() {}

    /** Cycles a start does at most, and the time it may take (a busy node gets fewer cycles). */
    static final int CYCLES = 40;
    static final Duration BUDGET = Duration.ofMillis(1500);
    /** Which cycles (by index) go through the socket: early, so the first pods find that path warm. */
    static final int SOCKET_FROM = 1, SOCKET_CYCLES = 2;
    static final long SHIM_TIMEOUT_MS = 10_000;

    /** The container ID of the warm-up's calls: the daemon tells them from real ones by it. */
    static final String CONTAINER_ID = "podnetd-warmup";

    /** The daemon's socket and the shim that calls it; the warm-up runs the shim from its node namespace. */
    record Through(Path shim, Path socket) {}

    /** How a warm-up went: cycles completed (through the socket among them), and the first and last cycle's time. */
    record Report(int cycles, int throughSocket, long firstNanos, long lastNanos) {
        static final Report NONE = new Report(0, 0, 0, 0);

        /** This report followed by {@code next}'s (a warm-up resumed after real calls). */
        Report then(Report next) {
            return new Report(cycles + next.cycles, throughSocket + next.throughSocket,
                    cycles > 0 ? firstNanos : next.firstNanos, next.cycles > 0 ? next.lastNanos : lastNanos);
        }

        @Override
        public String toString() {
            return cycles + " ADD/CHECK/DEL cycles, " + throughSocket + " through the socket (the first "
                    + firstNanos / 1_000_000 + " ms, the last " + lastNanos / 100_000 / 10.0 + " ms)";
        }
    }

    /** In-process cycles only, never yielding (tests). */
    static Report run(int cycles, Duration budget, PrintStream log) {
        return run(cycles, budget, null, () -> false, log);
    }

    /**
     * Runs up to {@code cycles} cycles within {@code budget}, some {@code through} the socket when
     * not null; before each cycle it waits while {@code busy} (the time waited counts against
     * the budget: a node busy with real calls warms up by them).
     */
    static Report run(int cycles, Duration budget, Through through, BooleanSupplier busy, PrintStream log) {
        return run(cycles, budget, through, busy, () -> false, log);
    }

    /** {@link #run(int, Duration, Through, BooleanSupplier, PrintStream)}, ending early once {@code stop}. */
    static Report run(int cycles, Duration budget, Through through, BooleanSupplier busy, BooleanSupplier stop,
            PrintStream log) {
        Path data;
        try {
            data = Files.createTempDirectory("podnetd-warmup");
        } catch (IOException e) {
            throw new UncheckedIOException("warm-up: temp dir", e);
        }
        try (AnonymousNetns node = AnonymousNetns.create(); AnonymousNetns pod = AnonymousNetns.create()) {
            String conf = """
                    {"cniVersion":"1.0.0","name":"podnetd-warmup","type":"bridge","bridge":"cni0",
                     "isGateway":true,"ipMasq":true,"hairpinMode":true,
                     "ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"10.244.2.0/24"}]],
                             "routes":[{"dst":"0.0.0.0/0"}]}}""".formatted(data.resolve("ipam"));
            String podPath = pod.netns().path().toString();
            long deadline = System.nanoTime() + budget.toNanos();
            Caller inProcess = (command, stdin) -> PluginRunner.run("bridge", env(command, podPath),
                    stdin.getBytes(StandardCharsets.UTF_8), Delegation.IN_PROCESS);
            Caller[] shim = {through == null ? null : shimCaller(through, data, podPath)};
            if (shim[0] != null) {
                // From the daemon's own namespaces first: the JDK makes its process reaper thread
                // on the thread that starts the first child, and it must not live in the warm-up's netns.
                try {
                    if (shim[0].call("VERSION", conf).exitCode() != 0) {
                        log.println("podnetd: the warm-up cannot call " + through.socket() + " through the shim: in process only");
                        shim[0] = null;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("warm-up: the shim", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("warm-up interrupted", e);
                }
            }
            // Lent for switches like a call thread (it ends afterwards): pods are entered in place.
            return node.netns().call(() -> NsThread.lentForSwitches(() -> {
                int done = 0, viaSocket = 0;
                long first = 0, last = 0;
                inProcess.call("VERSION", conf);
                while (done < cycles && awaitIdle(busy, stop, deadline)) {
                    boolean socket = shim[0] != null && done >= SOCKET_FROM && done < SOCKET_FROM + SOCKET_CYCLES;
                    long t0 = System.nanoTime();
                    if (!cycle(socket ? shim[0] : inProcess, conf, log)) {
                        if (!socket) {
                            break;
                        }
                        shim[0] = null; // the socket path failed (said above): go on in process
                        continue;
                    }
                    last = System.nanoTime() - t0;
                    first = done == 0 ? last : first;
                    done++;
                    viaSocket += socket ? 1 : 0;
                }
                return new Report(done, viaSocket, first, last);
            }));
        } finally {
            DirectoryTree.deleteQuietly(data);
        }
    }

    /** One plugin call: the command and stdin, the answer. */
    @FunctionalInterface
    interface Caller {
        CniResponse call(String command, String stdin) throws IOException, InterruptedException;
    }

    private static boolean cycle(Caller c, String conf, PrintStream log) throws IOException, InterruptedException {
        CniResponse add = c.call("ADD", conf);
        if (add.exitCode() != 0) {
            log.println("podnetd: warm-up ADD failed (serving anyway): " + add.stdoutText().strip());
            return false;
        }
        String prev = conf.substring(0, conf.length() - 1) + ",\"prevResult\":" + add.stdoutText().strip() + "}";
        c.call("CHECK", prev);
        CniResponse del = c.call("DEL", conf);
        if (del.exitCode() != 0) {
            log.println("podnetd: warm-up DEL failed (serving anyway): " + del.stdoutText().strip());
            return false;
        }
        return true;
    }

    /** Waits while {@code busy}; false once the deadline passed or {@code stop}. */
    private static boolean awaitIdle(BooleanSupplier busy, BooleanSupplier stop, long deadline) throws InterruptedException {
        while (busy.getAsBoolean() && !stop.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return System.nanoTime() < deadline && !stop.getAsBoolean();
    }

    private static Map<String, String> env(String command, String podNetns) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", CONTAINER_ID);
        env.put("CNI_NETNS", podNetns);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", "/nonexistent");
        return env;
    }

    /**
     * Calls through the shim, exec'd as {@code bridge} (a link to it: the shim takes the plugin's
     * name from argv[0]) with a clean environment, never starting a daemon nor falling back to
     * the one-shot path. The child is born in the calling thread's network namespace.
     */
    private static Caller shimCaller(Through through, Path data, String podPath) {
        Path link = data.resolve("bridge");
        // IPAM as a real call finds it: host-local in CNI_PATH, the installed shim beside the
        // bridge (run in the daemon, being of its build); in a build tree, a link to the shim.
        Path cniPath = through.shim().getParent();
        try {
            Files.createSymbolicLink(link, through.shim().toAbsolutePath());
            if (!Files.isExecutable(cniPath.resolve("host-local"))) {
                Files.createSymbolicLink(data.resolve("host-local"), through.shim().toAbsolutePath());
                cniPath = data;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("warm-up: link to the shim", e);
        }
        String path = cniPath.toString();
        return (command, stdin) -> {
            ProcessBuilder pb = new ProcessBuilder(link.toString()).redirectError(ProcessBuilder.Redirect.DISCARD);
            Map<String, String> env = pb.environment();
            env.clear();
            env.putAll(env(command, podPath));
            env.put("CNI_PATH", path);
            env.put("PODNET_SOCKET", through.socket().toString());
            env.put("PODNET_AUTOSTART", "0");
            env.put("PODNET_SHIM_NO_FALLBACK", "1");
            Process p = pb.start();
            try {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8)); // the shim reads all of it before it calls
                }
                byte[] out;
                try (InputStream o = p.getInputStream()) {
                    out = o.readAllBytes(); // one JSON document; the shim exits after it
                }
                if (!p.waitFor(SHIM_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                    return new CniResponse(1, "{\"msg\":\"the warm-up's shim did not exit\"}".getBytes(StandardCharsets.UTF_8));
                }
                return new CniResponse(p.exitValue(), out);
            } finally {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            }
        };
    }
}
