package podnet.cni.daemon;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import podnet.cni.CniResponse;
import podnet.cni.PluginRunner;
import podnet.linux.sys.UnixSocket;

/**
 * podnetd: the warm agent behind the exec shim. Each connection is one plugin call, served on
 * its own platform thread, so ADDs of different containers run in parallel; the plugin code is
 * the same as the one-shot path's, and holds no state of its own (leases are on disk, links in
 * the kernel), so a killed podnetd loses nothing and a restarted one just serves the next call.
 */
public final class Podnetd implements AutoCloseable {
    public static final Path DEFAULT_SOCKET = Path.of("/run/podnet/podnetd.sock");

    /** What the daemon runs for a call: {@link PluginRunner#run}, or a stand-in in tests. */
    @FunctionalInterface
    public interface Plugins {
        CniResponse run(String plugin, Map<String, String> env, byte[] stdin);
    }

    private final Path socketPath;
    private final UnixSocket listener;
    private final Plugins plugins;
    private final PrintStream log;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Podnetd(Path socketPath, UnixSocket listener, Plugins plugins, PrintStream log) {
        this.socketPath = socketPath;
        this.listener = listener;
        this.plugins = plugins;
        this.log = log;
    }

    /** Binds the socket (mode 0600) and serves our plugins on a background thread. */
    public static Podnetd start(Path socketPath, PrintStream log) {
        return start(socketPath, PluginRunner::run, log);
    }

    /** Binds the socket (mode 0600) and serves {@code plugins} on a background thread. */
    public static Podnetd start(Path socketPath, Plugins plugins, PrintStream log) {
        Podnetd d = new Podnetd(socketPath, UnixSocket.listen(socketPath, 128), plugins, log);
        Thread.ofPlatform().name("podnetd-accept").daemon(false).start(d::acceptLoop);
        return d;
    }

    public Path socketPath() {
        return socketPath;
    }

    private void acceptLoop() {
        while (!closed.get()) {
            UnixSocket conn;
            try {
                conn = listener.accept();
            } catch (RuntimeException e) {
                if (!closed.get()) {
                    log.println("podnetd: accept failed: " + e.getMessage());
                }
                continue;
            }
            Thread.ofPlatform().name("podnetd-conn").daemon(true).start(() -> serve(conn));
        }
    }

    private void serve(UnixSocket conn) {
        try (conn) {
            UnixSocket.PeerCredentials peer = conn.peerCredentials();
            ShimCall call = ShimCall.read(conn);
            if (peer.uid() != 0) {
                // Plugins change the node's network: only root may ask (as only root may exec them).
                ShimCall.reply(conn, 1, error(call, 100, "podnetd serves root callers only",
                        "caller uid " + peer.uid() + " pid " + peer.pid()));
                return;
            }
            CniResponse r = CallerNamespaces.call(peer.pid(), () -> plugins.run(call.plugin(), call.env(), call.stdin()));
            ShimCall.reply(conn, r.exitCode(), r.stdout());
        } catch (RuntimeException e) {
            log.println("podnetd: call failed: " + e);
        }
    }

    private static byte[] error(ShimCall call, int code, String msg, String details) {
        String version = "1.1.0";
        String in = new String(call.stdin(), StandardCharsets.UTF_8);
        var m = java.util.regex.Pattern.compile("\"cniVersion\"\\s*:\\s*\"([^\"]{1,16})\"").matcher(in);
        if (m.find()) {
            version = m.group(1);
        }
        return ("{\"cniVersion\":\"" + version + "\",\"code\":" + code + ",\"msg\":\"" + msg
                + "\",\"details\":\"" + details + "\"}\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Stops accepting; calls in flight finish. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            listener.shutdown();
            listener.close();
            try {
                java.nio.file.Files.deleteIfExists(socketPath);
            } catch (java.io.IOException ignored) {
                // the next start replaces a stale socket anyway
            }
        }
    }
}
