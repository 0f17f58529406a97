package podnet.cni.daemon;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import podnet.cni.CniResponse;
import podnet.cni.PluginRunner;
import podnet.cni.build.PluginClasspath;
import podnet.linux.sys.StopSignals;
import podnet.linux.sys.UnixSocket;

/**
 * podnetd: the warm agent behind the exec shim. Each connection is one plugin call, served on
 * a platform thread of its own while it runs, so ADDs of different containers run in parallel; the plugin code is
 * the same as the one-shot path's, and holds no state of its own (leases are on disk, links in
 * the kernel), so a killed podnetd loses nothing and a restarted one just serves the next call.
 *
 * <p>Call threads are kept for the next call ({@link CallThreads}). Bounded: at most {@link #MAX_CALLS} calls at once (more wait in the socket's backlog),
 * their requests within a {@link MemoryBudget} sized for the heap, an idle connection dropped
 * after {@link #IDLE_TIMEOUT}, accept errors (EMFILE) retried with a backoff up to 1 s. Stopping
 * drains: no new connection is taken, the calls already taken finish.
 */
public final class Podnetd implements AutoCloseable {
    public static final Path DEFAULT_SOCKET = Path.of("/run/podnet/podnetd.sock");
    static final int MAX_CALLS = 32;
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30), DRAIN_TIMEOUT = Duration.ofSeconds(20);
    /** How long an idle call thread is kept for the next call. */
    static final long THREAD_KEEP_ALIVE_SECONDS = 60;
    /**
     * Heap for requests in flight: podnetd runs with -Xmx64m (see ./podnet). The largest request
     * the limits accept (1 MiB of stdin and 1 MiB of environment) takes it all and runs alone;
     * an ordinary one (a few KiB) takes a few hundred KiB of it.
     */
    static final long REQUEST_BUDGET = 32L << 20;

    /**
     * The bounds; tests shrink them. {@code idleExit}: with no call for that long (and none in
     * flight), the daemon stops by itself, as one the shim started does; null: never.
     */
    record Settings(int maxCalls, Duration idleTimeout, long requestBudget, Duration idleExit) {
        static final Settings DEFAULT = new Settings(MAX_CALLS, IDLE_TIMEOUT, REQUEST_BUDGET, null);

        Settings(int maxCalls, Duration idleTimeout, long requestBudget) {
            this(maxCalls, idleTimeout, requestBudget, null);
        }

        Settings withIdleExit(Duration d) {
            return new Settings(maxCalls, idleTimeout, requestBudget, d);
        }
    }

    /** What the daemon runs for a call: {@link PluginRunner#runExecutable}, or a stand-in in tests. */
    @FunctionalInterface
    public interface Plugins {
        CniResponse run(String plugin, Map<String, String> env, byte[] stdin);
    }

    private final DaemonSocket socket;
    private final Plugins plugins;
    private final PrintStream log;
    private final Settings settings;
    private final Semaphore calls;
    private final MemoryBudget budget;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final Thread acceptor;
    private final CallThreads threads;
    private volatile boolean stopping;
    /** Calls being served, and when the last one ended (or the daemon started): for the idle exit. */
    private final AtomicInteger active = new AtomicInteger();
    private volatile long lastCallEnded = System.nanoTime();
    private final AtomicInteger ended = new AtomicInteger();
    /** Calls read that are not the warm-up's own. */
    private final AtomicInteger realCalls = new AtomicInteger();

    private Podnetd(DaemonSocket socket, Plugins plugins, PrintStream log, Settings settings) {
        this.socket = socket;
        this.plugins = plugins;
        this.log = log;
        this.settings = settings;
        this.calls = new Semaphore(settings.maxCalls());
        this.budget = new MemoryBudget(settings.requestBudget(), settings.idleTimeout().toMillis());
        this.acceptor = Thread.ofPlatform().name("podnetd-accept").unstarted(this::acceptLoop);
        this.threads = new CallThreads(THREAD_KEEP_ALIVE_SECONDS);
    }

    /** Serves our plugins: the socket systemd handed over, else a new one at {@code socketPath}. */
    public static Podnetd start(Path socketPath, PrintStream log) {
        return start(socketPath, PluginRunner::runExecutable, log);
    }

    /**
     * Serves {@code plugins} on a background thread. Throws IllegalStateException when another
     * podnetd owns the socket.
     */
    public static Podnetd start(Path socketPath, Plugins plugins, PrintStream log) {
        return start(socketPath, plugins, log, Settings.DEFAULT);
    }

    static Podnetd start(Path socketPath, Plugins plugins, PrintStream log, Settings settings) {
        Podnetd d = open(socketPath, plugins, log, settings);
        d.serve();
        return d;
    }

    /**
     * Owns the socket (bound, or handed over) but takes no call yet: connections wait in its
     * backlog until {@link #serve}, so a daemon can warm up first.
     */
    static Podnetd open(Path socketPath, Plugins plugins, PrintStream log, Settings settings) {
        ClassPreload.podnetClasses(PluginClasspath.of()); // nothing left to load when descriptors run out
        // A podnetd in a container (the DaemonSet) serves callers in the host's mount namespace,
        // where its own files are not to be seen: what it would read from them on the first call
        // (the build id from the jars, the runtime's java.security behind MessageDigest) is read now.
        podnet.cni.build.InstalledBuild.current();
        try {
            java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return new Podnetd(DaemonSocket.open(socketPath, System.getenv()), plugins, log, settings);
    }

    void serve() {
        lastCallEnded = System.nanoTime();
        acceptor.start();
    }

    /**
     * {@code podnet daemon run}: serves until SIGTERM or SIGINT (also when started in the
     * background of a script), then drains and returns the exit code, 0.
     */
    public static int runUntilStopped(Path socketPath, PrintStream log) throws InterruptedException {
        return runUntilStopped(socketPath, null, log);
    }

    /** {@link #runUntilStopped(Path, PrintStream)}, also stopping after {@code idleExit} without calls (null: never). */
    public static int runUntilStopped(Path socketPath, Duration idleExit, PrintStream log) throws InterruptedException {
        Podnetd d = start(socketPath, PluginRunner::runExecutable, log, Settings.DEFAULT.withIdleExit(idleExit));
        return d.untilStopped(log);
    }

    /** Serves until a stop signal or the idle exit, then drains; the exit code, 0. */
    int untilStopped(PrintStream log) throws InterruptedException {
        try (StopSignals.Registration signals = StopSignals.install(this::requestStop)) {
            log.println("podnetd: listening on " + socket.path() + (socket.activated() ? " (from systemd)" : "")
                    + " (root callers only)" + (settings.idleExit() != null
                            ? ", exiting after " + settings.idleExit().toSeconds() + " s without calls" : ""));
            stopRequested.await();
            int inFlight = inFlight();
            log.println("podnetd: stopping" + (inFlight > 0 ? ", finishing " + inFlight + " calls in flight" : ""));
            if (!drain(DRAIN_TIMEOUT)) {
                log.println("podnetd: calls still running after " + DRAIN_TIMEOUT.toSeconds() + " s; exiting anyway");
            }
            return 0;
        }
    }

    public Path socketPath() {
        return socket.path();
    }

    /** Whether a stop was asked for (a signal, the idle exit, a new install). */
    boolean stopRequested() {
        return stopRequested.getCount() == 0;
    }

    public void requestStop() {
        stopRequested.countDown();
    }

    /** Whether a call is being served now (the warm-up yields to it). */
    boolean busy() {
        return active.get() > 0;
    }

    /** Calls served to their end since the start. */
    int callsEnded() {
        return ended.get();
    }

    /** Calls read so far that were not the daemon's own warm-up's. */
    int realCalls() {
        return realCalls.get();
    }

    /** When the last call ended (System.nanoTime), or the daemon began serving. */
    long lastCallEnded() {
        return lastCallEnded;
    }

    int inFlight() {
        return Math.max(0, settings.maxCalls() - calls.availablePermits() - (acceptor.isAlive() ? 1 : 0));
    }

    private void acceptLoop() {
        int backoff = 0;
        while (!stopping) {
            if (!calls.tryAcquire()) {
                sleep(5); // all call slots busy: leave the rest in the backlog
                continue;
            }
            UnixSocket conn;
            try {
                if (!socket.awaitConnection(200)) {
                    calls.release();
                    stopIfIdle();
                    continue;
                }
                conn = socket.accept();
                backoff = 0;
            } catch (Throwable e) { // EMFILE, ENFILE, ENOMEM, even an Error: back off, never die
                calls.release();
                if (stopping) {
                    break;
                }
                backoff = backoff == 0 ? 10 : Math.min(backoff * 2, 1000);
                log.println("podnetd: accept failed: " + e.getMessage() + "; retrying in " + backoff + " ms");
                sleep(backoff);
                continue;
            }
            serveOnCallThread(conn);
        }
    }

    /**
     * The idle exit: no call in flight and none for the idle period. A connection that arrives
     * meanwhile is not lost: the drain removes the socket file first, then serves the backlog.
     */
    private void stopIfIdle() {
        Duration idle = settings.idleExit();
        if (idle != null && active.get() == 0 && System.nanoTime() - lastCallEnded >= idle.toNanos()
                && stopRequested.getCount() > 0) {
            log.println("podnetd: no call for " + idle.toSeconds() + " s, exiting");
            requestStop();
        }
    }

    private void serveOnCallThread(UnixSocket conn) {
        active.incrementAndGet();
        try {
            threads.start(() -> new ShimConnection(conn, plugins, budget, (int) settings.idleTimeout().toMillis(), log,
                    realCalls::incrementAndGet).serve(),
                    () -> {
                        lastCallEnded = System.nanoTime();
                        ended.incrementAndGet();
                        active.decrementAndGet();
                        calls.release();
                    });
        } catch (Throwable t) { // no thread to be had (OutOfMemoryError: unable to create native thread)
            lastCallEnded = System.nanoTime();
            active.decrementAndGet();
            calls.release();
            conn.close();
            log.println("podnetd: could not start a thread for a call: " + t);
        }
    }

    private static void sleep(int ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops taking connections and waits up to {@code timeout} for the calls in flight. A bound
     * socket's file is removed first, so new callers take the one-shot path, and what already
     * sits in its backlog is still served; an activated socket's backlog is left to the next
     * daemon. Returns whether every call finished.
     */
    public boolean drain(Duration timeout) {
        socket.unlink();
        stopping = true;
        try {
            acceptor.join(timeout.toMillis());
            if (!socket.activated()) {
                while (socket.awaitConnection(0) && calls.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    serveOnCallThread(socket.accept());
                }
            }
            boolean done = calls.tryAcquire(settings.maxCalls(), timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (done) {
                calls.release(settings.maxCalls());
            }
            return done;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException e) {
            return false;
        } finally {
            socket.close();
            threads.shutdown();
        }
    }

    /** Drains (up to {@link #DRAIN_TIMEOUT}) and releases the socket. */
    @Override
    public void close() {
        if (!stopping || acceptor.isAlive()) {
            drain(DRAIN_TIMEOUT);
        }
    }
}
