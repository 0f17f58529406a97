package podnet.cni.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.cni.CniResponse;
import podnet.linux.ns.NamespaceTable;
import podnet.linux.ns.Netns;
import podnet.linux.sys.UnixSocket;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/** The C shim against podnetd with a stand-in plugin that reports what it was given. */
class ShimAndDaemonTest {
    static final Path SHIM = Path.of("target/podnet-shim");

    @TempDir
    Path dir;
    Path socket;
    Path bridge;
    Podnetd daemon;

    @BeforeEach
    void setUp() throws IOException {
        Root.assume();
        assumeTrue(Files.isExecutable(SHIM), "the shim was not built (no cc)");
        socket = dir.resolve("podnetd.sock");
        bridge = dir.resolve("bridge");
        Files.copy(SHIM, bridge);
        Files.writeString(dir.resolve("podnet-oneshot"),
                "#!/bin/sh\necho \"oneshot $1 $(cat | wc -c)\"\nexit 3\n");
        Files.setPosixFilePermissions(dir.resolve("podnet-oneshot"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void tearDown() {
        if (daemon != null) {
            daemon.close();
        }
    }

    /** A plugin that answers with its name, CNI_COMMAND, stdin size and its thread's netns inode. */
    static CniResponse echo(String plugin, Map<String, String> env, byte[] stdin) {
        long netns = NamespaceTable.inode(Path.of("/proc/thread-self/ns/net"));
        String out = plugin + " " + env.get("CNI_COMMAND") + " " + stdin.length + " " + netns;
        int code = Integer.parseInt(env.getOrDefault("EXIT", "0"));
        return new CniResponse(code, out.getBytes(StandardCharsets.UTF_8));
    }

    record Run(int exit, String out) {}

    Run shim(List<String> prefix, Map<String, String> env, byte[] stdin) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(bridge.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PODNET_SOCKET", socket.toString());
        pb.environment().putAll(env);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        Thread writer = Thread.ofPlatform().start(() -> {
            try (var in = p.getOutputStream()) {
                in.write(stdin);
            } catch (IOException ignored) {
                // the shim may exit before reading everything (fallback path)
            }
        });
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        writer.join();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    Run shim(Map<String, String> env, String stdin) throws Exception {
        return shim(List.of(), env, stdin.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void relaysPluginNameEnvironmentStdinAndExitCode() throws Exception {
        daemon = Podnetd.start(socket, ShimAndDaemonTest::echo, System.err);
        Run r = shim(Map.of("CNI_COMMAND", "ADD", "EXIT", "7"), "{\"cniVersion\":\"1.0.0\"}");
        assertThat(r.exit()).isEqualTo(7);
        assertThat(r.out()).startsWith("bridge ADD 22 ");
    }

    @Test
    void relaysLargeStdinAndStdout() throws Exception {
        daemon = Podnetd.start(socket, (plugin, env, stdin) -> new CniResponse(0, stdin), System.err);
        byte[] big = new byte[5 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) ('a' + i % 26);
        }
        Run r = shim(List.of(), Map.of(), big);
        assertThat(r.exit()).isZero();
        assertThat(r.out().getBytes(StandardCharsets.UTF_8)).isEqualTo(big);
    }

    @Test
    void withoutDaemonRunsTheOneShotPathWithStdinUntouched() throws Exception {
        Run r = shim(Map.of("CNI_COMMAND", "ADD"), "12345");
        assertThat(r.out()).isEqualTo("oneshot bridge 5\n");
        assertThat(r.exit()).isEqualTo(3);
    }

    @Test
    void daemonGoneMidCallIsTryAgainLater() throws Exception {
        // A listener that takes the request and hangs up without answering, as a killed podnetd does.
        try (UnixSocket fake = UnixSocket.listen(socket, 4)) {
            Thread t = Thread.ofPlatform().start(() -> {
                try (UnixSocket c = fake.accept()) {
                    ShimCall.read(c);
                }
            });
            Run r = shim(Map.of("CNI_COMMAND", "ADD"), "{\"cniVersion\":\"0.4.0\",\"name\":\"x\"}");
            t.join();
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.out()).contains("\"code\":11").contains("\"cniVersion\":\"0.4.0\"");
        }
    }

    @Test
    void restartedDaemonServesTheNextCall() throws Exception {
        daemon = Podnetd.start(socket, ShimAndDaemonTest::echo, System.err);
        assertThat(shim(Map.of("CNI_COMMAND", "ADD"), "").exit()).isZero();
        daemon.close();
        daemon = Podnetd.start(socket, ShimAndDaemonTest::echo, System.err);
        assertThat(shim(Map.of("CNI_COMMAND", "DEL"), "").out()).startsWith("bridge DEL");
    }

    @Test
    void callRunsInTheCallersNetworkNamespace() throws Exception {
        daemon = Podnetd.start(socket, ShimAndDaemonTest::echo, System.err);
        try (TestNetns namespaces = new TestNetns("shim")) {
            Netns node = namespaces.add("node");
            long inode = NamespaceTable.inode(node.path());
            Run r = shim(List.of("nsenter", "--net=" + node.path()), Map.of("CNI_COMMAND", "ADD"), new byte[0]);
            assertThat(r.out()).endsWith(" " + inode);
        }
    }

    @Test
    void callSeesTheCallersMountNamespace() throws Exception {
        // The plugin reads a file that exists only in the caller's private mount namespace.
        daemon = Podnetd.start(socket, (plugin, env, stdin) -> {
            try {
                return new CniResponse(0, Files.readAllBytes(Path.of(env.get("PROBE"))));
            } catch (IOException e) {
                return new CniResponse(9, e.toString().getBytes(StandardCharsets.UTF_8));
            }
        }, System.err);
        Path hidden = Files.createDirectory(dir.resolve("hidden"));
        String script = "mount -t tmpfs none " + hidden + " && echo private > " + hidden + "/probe && exec " + bridge;
        Run r = shim(List.of("unshare", "-m", "--propagation", "private", "sh", "-c", script),
                Map.of("PROBE", hidden + "/probe"), new byte[0]);
        assertThat(r.out()).isEqualTo("private\n");
        assertThat(Files.exists(hidden.resolve("probe"))).as("nothing leaked into our mount namespace").isFalse();
    }

    @Test
    void callsRunInParallel() throws Exception {
        int n = 8;
        CountDownLatch allIn = new CountDownLatch(n);
        AtomicInteger sawAll = new AtomicInteger();
        daemon = Podnetd.start(socket, (plugin, env, stdin) -> {
            allIn.countDown();
            try {
                // Every call waits until all n are inside at once: only parallel serving gets there.
                if (allIn.await(20, TimeUnit.SECONDS)) {
                    sawAll.incrementAndGet();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new CniResponse(0, new byte[0]);
        }, System.err);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Run>> runs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                runs.add(pool.submit(() -> shim(Map.of(), "")));
            }
            for (Future<Run> f : runs) {
                assertThat(f.get().exit()).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(sawAll.get()).isEqualTo(n);
    }

    @Test
    void nonRootCallerIsRefused() throws Exception {
        Root.assumeProgram("setpriv");
        daemon = Podnetd.start(socket, ShimAndDaemonTest::echo, System.err);
        // Open the socket and the shim to everyone, so that only SO_PEERCRED stands in the way.
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Run r = shim(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"),
                Map.of("CNI_COMMAND", "ADD"), "{\"cniVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("\"code\":100").contains("root callers only");
    }
}
