package podnet.node.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import podnet.linux.fs.DirectoryTree;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Root;

/**
 * A private etcd (Debian's etcd-server) for one test: inside a namespace of the test's, its
 * own data directory, clients on {@code ip:2379}, peers on that namespace's 127.0.0.1. Stopped
 * (and its data removed) by {@link #close()}; {@link #stop()}/{@link #start()} keep the data
 * for tests that take etcd away for a while.
 */
public final class EtcdServer implements AutoCloseable {
    private final Netns netns;
    private final String ip;
    private final Path dataDir;
    private Process process;

    private EtcdServer(Netns netns, String ip, Path dataDir) {
        this.netns = netns;
        this.ip = ip;
        this.dataDir = dataDir;
    }

    public static void assumeInstalled() {
        assumeTrue(Root.has("etcd"), "etcd is not installed (apt-get install etcd-server etcd-client)");
    }

    /** Starts etcd in {@code netns}, which must already have {@code ip} on an up link and lo up. */
    public static EtcdServer start(Netns netns, String ip) {
        assumeInstalled();
        try {
            EtcdServer s = new EtcdServer(netns, ip, Files.createTempDirectory("podnet-cluster-etcd-"));
            s.start();
            return s;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    public URI url() {
        return URI.create("http://" + ip + ":2379");
    }

    public String endpoint() {
        return url().toString();
    }

    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        try {
            Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
            process = new ProcessBuilder("ip", "netns", "exec", netns.name(), "etcd", "--name", "test",
                    "--data-dir", dataDir.resolve("data").toString(),
                    "--listen-client-urls", url().toString(), "--advertise-client-urls", url().toString(),
                    "--listen-peer-urls", "http://127.0.0.1:2380", "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
                    "--initial-cluster", "test=http://127.0.0.1:2380", "--log-level", "warn")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!answers()) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("etcd did not start: " + Files.readString(log));
                }
                Thread.sleep(50);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private boolean answers() {
        return netns.call(() -> {
            try (SocketChannel c = SocketChannel.open()) {
                c.socket().connect(new InetSocketAddress(ip, 2379), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Stops etcd and keeps its data. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** {@code etcdctl} (API v3) run inside the namespace, the oracle: its stdout. */
    public String etcdctl(String... args) {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("ip", "netns", "exec", netns.name(),
                "env", "ETCDCTL_API=3", "etcdctl", "--endpoints=" + url(), "--command-timeout=5s"));
        cmd.addAll(java.util.List.of(args));
        return podnet.linux.testing.Ip.run(cmd.toArray(String[]::new)).ok().out();
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            DirectoryTree.delete(dataDir);
            try {
                Files.deleteIfExists(dataDir.resolveSibling(dataDir.getFileName() + ".log"));
            } catch (IOException e) {
                // best effort
            }
        }
    }
}
