package podnet.cni.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import podnet.cni.PluginRunner;
import podnet.cni.build.InstalledBuild;
import podnet.cni.build.PluginClasspath;
import podnet.linux.fs.DirectoryTree;
import podnet.linux.sys.FileDescriptor;

/**
 * The installed {@code podnetd} launcher's main (written by {@code podnet cni install} next to
 * the plugins; the shim starts it when no podnetd listens):
 * {@code podnetd [--socket PATH] [--idle-exit SECONDS] [--no-warm-up] [--train]}.
 * It owns the socket, takes calls, tells the shim it is ready by writing a byte to the pipe
 * named by {@code PODNET_READY_FD}, and warms up beside the calls ({@link Warmup}; the log says
 * "warmed up" when done). {@code --idle-exit 0} (the default here) never exits; {@code --train}
 * serves a socket of its own in a temp dir, warms up through it and exits (the AOT cache's training).
 * Exit codes: 0 stopped, 1 another podnetd owns the socket or it cannot be bound, 2 bad usage.
 */
public final class PodnetdMain {
    private PodnetdMain() {}

    /** How long a start waits for a podnetd that is draining (its socket file gone, its lock still held). */
    static final Duration WAIT_FOR_DRAINING = Duration.ofSeconds(5);

    record Args(Path socket, Duration idleExit, boolean warmUp, boolean train) {
        static Args parse(String[] args) {
            Path socket = Podnetd.DEFAULT_SOCKET;
            Duration idle = null;
            boolean warm = true, train = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--socket" -> socket = Path.of(value(args, ++i, "--socket"));
                    case "--idle-exit" -> {
                        String v = value(args, ++i, "--idle-exit");
                        long s;
                        try {
                            s = Long.parseLong(v);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--idle-exit takes whole seconds, not \"" + v + "\"");
                        }
                        if (s < 0) {
                            throw new IllegalArgumentException("--idle-exit takes whole seconds >= 0, not " + s);
                        }
                        idle = s == 0 ? null : Duration.ofSeconds(s);
                    }
                    case "--no-warm-up" -> warm = false;
                    case "--train" -> train = true;
                    default -> throw new IllegalArgumentException("unknown argument \"" + args[i] + "\"");
                }
            }
            return new Args(socket, idle, warm, train);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }
    }

    public static void main(String[] argv) throws Exception {
        PrintStream log = System.err;
        Args args;
        try {
            args = Args.parse(argv);
        } catch (IllegalArgumentException e) {
            log.println("podnetd: " + e.getMessage());
            log.println("podnetd: usage: podnetd [--socket PATH] [--idle-exit SECONDS] [--no-warm-up] [--train]");
            System.exit(2);
            return;
        }
        if (args.train()) {
            System.exit(train(log));
        }
        Podnetd d;
        try {
            d = open(args);
        } catch (RuntimeException e) {
            log.println("podnetd: " + e.getMessage());
            System.exit(1);
            return;
        }
        // Calls are taken at once: the one that started us (the node's first pod) is not made to
        // wait for the warm-up, which runs beside the calls and yields to them.
        d.serve();
        boolean shimWaits = notifyReady(System.getenv(), log);
        // After the ready byte: formatting the time is ~70 ms of class loading in a cold JVM.
        log.println("podnetd: started at " + Instant.now() + ", pid " + ProcessHandle.current().pid());
        watchBuild(d, log);
        Thread warm = args.warmUp()
                ? Thread.ofPlatform().daemon().name("podnetd-warmup").start(() -> warmUp(d, shimWaits, log))
                : null;
        int code = d.untilStopped(log);
        if (warm != null) {
            warm.join(WARM_UP_STOP.toMillis()); // it stops at the stop request: its temp dir goes with it
        }
        System.exit(code);
    }

    /** How long an exit waits for the warm-up to finish its cycle and clean up. */
    static final Duration WARM_UP_STOP = Duration.ofSeconds(5);
    /** How long the warm-up lets the node's first calls run alone, at most. */
    static final Duration FIRST_CALLS_ALONE = Duration.ofSeconds(2);
    /** Calls closer together than this are one burst (a runtime's loopback then bridge ADD): the warm-up waits it out. */
    static final Duration QUIET = Duration.ofMillis(100);

    /**
     * A warm-up that real calls ended resumes once no call came for this long: long enough that
     * the runtime is not in the middle of starting a pod (its work before the CNI call is
     * invisible here, and a round running beside it slows that pod).
     */
    static final Duration RESUME_AFTER = Duration.ofSeconds(5);
    /** Real calls after which the daemon is warm by them and stops warming up (a cycle is three calls). */
    static final int WARM_BY_CALLS = 3 * Warmup.CYCLES;
    /** Rounds a warm-up that keeps being interrupted gets at most. */
    static final int MAX_ROUNDS = 8;

    static void warmUp(Podnetd d, boolean shimWaits, PrintStream log) {
        warmUp(d, shimWaits, Warmup.CYCLES, Warmup.BUDGET, RESUME_AFTER, log);
    }

    /**
     * The warm-up, beside the calls; when a shim waits for us it first lets that call (and the
     * ones right behind it) run alone. Real calls end a round: its cycles (links made and deleted,
     * the rtnl lock) slowed the runtime's next pods by 100-200 ms each. Once no call came for
     * {@code resumeAfter} it goes on with the cycles left, within one {@code budget} for all
     * rounds, until the daemon had {@code cycles} of them or {@link #WARM_BY_CALLS} real calls:
     * a node whose first pod came alone is warm for its next ones too. Its report, or why it
     * failed, goes to the log: a daemon that did not warm up still serves, only slower at first.
     */
    static void warmUp(Podnetd d, boolean shimWaits, int cycles, Duration budget, Duration resumeAfter, PrintStream log) {
        try {
            if (shimWaits) {
                awaitFirstCalls(d, FIRST_CALLS_ALONE);
            }
            long t0 = System.nanoTime();
            Warmup.Through through = through(d);
            Warmup.Report total = Warmup.Report.NONE;
            long left = budget.toNanos();
            int rounds = 0;
            while (true) {
                int real = d.realCalls();
                long r0 = System.nanoTime();
                Warmup.Report r = Warmup.run(cycles - total.cycles(), Duration.ofNanos(left),
                        total.throughSocket() < Warmup.SOCKET_CYCLES ? through : null, d::busy,
                        () -> d.realCalls() != real || d.stopRequested(), log);
                left -= System.nanoTime() - r0;
                total = total.then(r);
                rounds++;
                if (total.cycles() >= cycles || left <= 0 || rounds == MAX_ROUNDS || !awaitQuiet(d, resumeAfter)) {
                    break;
                }
            }
            log.println("podnetd: warmed up in " + (System.nanoTime() - t0) / 1_000_000 + " ms: " + total
                    + (rounds > 1 ? ", in " + rounds + " rounds (real calls came between)" : ""));
        } catch (RuntimeException | InterruptedException e) {
            log.println("podnetd: warm-up failed (serving anyway): " + e);
        }
    }

    /** Until no call is in flight and none ended for {@code quiet}; false if the daemon stops or is warm by real calls first. */
    static boolean awaitQuiet(Podnetd d, Duration quiet) throws InterruptedException {
        long step = Math.max(1, Math.min(100, quiet.toMillis() / 10));
        while (!d.stopRequested() && d.realCalls() < WARM_BY_CALLS) {
            if (!d.busy() && System.nanoTime() - d.lastCallEnded() >= quiet.toNanos()) {
                return true;
            }
            Thread.sleep(step);
        }
        return false;
    }

    /** Until a call ended and none came for {@link #QUIET}, or {@code max} passed. */
    static void awaitFirstCalls(Podnetd d, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline && !d.stopRequested() && (d.callsEnded() == 0 || d.busy()
                || System.nanoTime() - d.lastCallEnded() < QUIET.toNanos())) {
            Thread.sleep(5);
        }
    }

    /** The warm-up's calls through the socket, when the exec shim is there to make them. */
    static Warmup.Through through(Podnetd d) {
        return ShimExecutable.find(PluginClasspath.of()).map(s -> new Warmup.Through(s, d.socketPath())).orElse(null);
    }

    /**
     * {@code --train}: what a start does, on a socket of its own in a temp dir (the AOT cache
     * must see the served path too: accept, request, caller namespaces, reply), then exits.
     */
    static int train(PrintStream log) {
        Path dir;
        try {
            dir = Files.createTempDirectory("podnetd-train");
        } catch (IOException e) {
            log.println("podnetd: training: " + e.getMessage());
            return 1;
        }
        try (Podnetd d = Podnetd.open(dir.resolve("podnetd.sock"), PluginRunner::runExecutable, log,
                Podnetd.Settings.DEFAULT)) {
            d.serve();
            Warmup.Report r = Warmup.run(Warmup.CYCLES, Duration.ofSeconds(60), through(d), d::busy, log);
            log.println("podnetd: trained: " + r);
            return 0;
        } finally {
            DirectoryTree.deleteQuietly(dir);
        }
    }

    /**
     * A reinstall removes the old build's jars: a podnetd of that build then stops (draining
     * its calls), and the next call starts one of the new build instead of being served by
     * old code until the idle exit.
     */
    static void watchBuild(Podnetd d, PrintStream log) {
        Path jar = PluginClasspath.of().getFirst();
        Path lib = jar.getParent() == null ? null : jar.getParent().getParent();
        if (lib == null || !lib.getFileName().toString().equals(InstalledBuild.LIB_DIR)) {
            return; // not run from an install (a build tree, a test)
        }
        Thread.ofPlatform().daemon().name("podnetd-build-watch").start(() -> {
            while (Files.exists(jar)) {
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    return;
                }
            }
            log.println("podnetd: " + jar + " was removed (a new install): stopping, the next call starts the new build");
            d.requestStop();
        });
    }

    /** Owns the socket; waits a little for a podnetd that is still draining this socket's calls. */
    static Podnetd open(Args args) {
        Podnetd.Settings settings = Podnetd.Settings.DEFAULT.withIdleExit(args.idleExit());
        long deadline = System.nanoTime() + WAIT_FOR_DRAINING.toNanos();
        while (true) {
            try {
                return Podnetd.open(args.socket(), PluginRunner::runExecutable, System.err, settings);
            } catch (IllegalStateException e) {
                // Lock held but no socket file: the other daemon is exiting (idle) and drains its calls.
                if (Files.exists(args.socket()) || System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * Writes the ready byte to the shim's pipe (PODNET_READY_FD) and closes it; nothing if unset.
     * Whether a shim was told (it is about to call).
     */
    static boolean notifyReady(Map<String, String> env, PrintStream log) {
        String v = env.get("PODNET_READY_FD");
        if (v == null || !v.matches("\\d{1,4}")) {
            return false;
        }
        Path link = Path.of("/proc/self/fd", v);
        try {
            if (!Files.readSymbolicLink(link).toString().startsWith("pipe:")) {
                return false; // not the shim's pipe (fd 3 may be systemd's socket): leave it alone
            }
        } catch (IOException e) {
            return false; // not open
        }
        try {
            Files.write(link, new byte[] {'1'});
            return true;
        } catch (IOException e) {
            log.println("podnetd: could not tell the shim it is ready: " + e.getMessage());
            return false;
        } finally {
            FileDescriptor.close(Integer.parseInt(v)); // the shim sees EOF after the byte; we hold nothing of it
        }
    }
}
