package podnet.cni.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
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
import podnet.linux.testing.ChildProcess;
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

    record Run(int exit, String out) {
        /** The shim's stdout must be one valid CNI error JSON; returns it. */
        @SuppressWarnings("unchecked")
        Map<String, Object> error() {
            assertThat(exit).as(out).isNotZero();
            try {
                Map<String, Object> m = JSON.std.mapFrom(out);
                assertThat(m).containsKeys("cniVersion", "code", "msg");
                return m;
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + out, e);
            }
        }

        int code() {
            return ((Number) error().get("code")).intValue();
        }
    }

    Run shim(List<String> prefix, Map<String, String> env, byte[] stdin) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(bridge.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PODNET_SOCKET", socket.toString());
        pb.environment().putAll(env);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        ChildProcess.Result r = ChildProcess.run(pb, stdin, Duration.ofSeconds(30));
        return new Run(r.exit(), r.out());
    }

    Run shim(Map<String, String> env, String stdin) {
        return shim(List.of(), env, stdin.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void relaysPluginNameEnvironmentStdinAndExitCode() {
        daemon = Podnetd.start(socket, ShimAndDaemonTest::echo, System.err);
        Run r = shim(Map.of("CNI_COMMAND", "ADD", "EXIT", "7"), "{\"cniVersion\":\"1.0.0\"}");
        assertThat(r.exit()).isEqualTo(7);
        assertThat(r.out()).startsWith("bridge ADD 22 ");
    }

    @Test
    void relaysStdinUpToTheLimitAndRefusesMore() {
        daemon = Podnetd.start(socket, (plugin, env, stdin) -> new CniResponse(0, stdin), System.err);
        byte[] big = new byte[1 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) ('a' + i % 26);
        }
        Run r = shim(List.of(), Map.of(), big);
        assertThat(r.exit()).isZero();
        assertThat(r.out().getBytes(StandardCharsets.UTF_8)).isEqualTo(big);

        Run tooBig = shim(List.of(), Map.of(), new byte[10 << 20]);
        assertThat(tooBig.code()).isEqualTo(6);
        assertThat(tooBig.error().get("msg")).asString().contains("too large");
    }

    @Test
    void tooLargeEnvironmentIsCode6() {
        daemon = Podnetd.start(socket, ShimAndDaemonTest::echo, System.err);
        Map<String, String> env = new java.util.HashMap<>();
        for (int i = 0; i < 11; i++) {
            env.put("BIG" + i, "x".repeat(100_000)); // 1.1 MB together, each below the kernel's 128 KiB per string
        }
        Run r = shim(env, "{}");
        assertThat(r.code()).isEqualTo(6);
        assertThat(r.error().get("msg")).asString().contains("environment is too large");
    }

    @Test
    void daemonRefusesOversizedItemsBeforeAllocatingThem() throws Exception {
        daemon = Podnetd.start(socket, ShimAndDaemonTest::echo, System.err);
        // A hand-made request claiming 2 GiB of stdin: answered at once, nothing that size is read or allocated.
        ByteBuffer req = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        req.put(ShimCall.MAGIC).putInt(0).putInt(6).put("bridge".getBytes(StandardCharsets.US_ASCII)).putInt(Integer.MAX_VALUE);
        assertThat(rawCall(bytes(req))).contains("\"code\":6").contains("stdin is too large");
        ByteBuffer env = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        env.put(ShimCall.MAGIC).putInt(1_000_000);
        assertThat(rawCall(bytes(env))).contains("\"code\":6").contains("environment is too large");
    }

    @Test
    void badRequestIsAnsweredWithAReason() throws Exception {
        daemon = Podnetd.start(socket, ShimAndDaemonTest::echo, System.err);
        String answer = rawCall("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(answer).contains("\"code\":6").contains("not a podnet shim request");
        assertThat(JSON.std.mapFrom(answer)).containsKey("cniVersion");
    }

    private static byte[] bytes(ByteBuffer b) {
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    /** Sends {@code request} on a raw connection; returns the answer's JSON text. */
    private String rawCall(byte[] request) {
        try (UnixSocket c = UnixSocket.connect(socket)) {
            c.writeFully(request);
            ByteBuffer head = ByteBuffer.wrap(c.readFully(8)).order(ByteOrder.nativeOrder());
            assertThat(head.getInt()).isEqualTo(1);
            return new String(c.readFully(head.getInt()), StandardCharsets.UTF_8);
        }
    }

    @Test
    void anErrorInTheHandlerIsAnsweredAsACniError() {
        daemon = Podnetd.start(socket, (plugin, env, stdin) -> {
            throw new OutOfMemoryError("Java heap space (simulated)");
        }, System.err);
        Run r = shim(Map.of("CNI_COMMAND", "ADD"), "{\"cniVersion\":\"1.0.0\"}");
        assertThat(r.code()).isEqualTo(999);
        assertThat(r.error()).containsEntry("cniVersion", "1.0.0");
        assertThat(r.error().get("msg")).asString().contains("Java heap space (simulated)");
    }

    @Test
    void withoutDaemonRunsTheOneShotPathWithStdinUntouched() {
        Run r = shim(Map.of("CNI_COMMAND", "ADD"), "12345");
        assertThat(r.out()).isEqualTo("oneshot bridge 5\n");
        assertThat(r.exit()).isEqualTo(3);
    }

    @Test
    void withoutDaemonAndNoFallbackAnswersTryAgain() {
        Run r = shim(Map.of("CNI_COMMAND", "ADD", "PODNET_SHIM_NO_FALLBACK", "1"), "{\"cniVersion\":\"0.4.0\"}");
        assertThat(r.code()).isEqualTo(11);
        assertThat(r.error()).containsEntry("cniVersion", "0.4.0");
        assertThat(r.error().get("details")).asString().contains("PODNET_SHIM_NO_FALLBACK");
    }

    @Test
    void daemonGoneMidCallIsTryAgainLater() throws Exception {
        // A listener that takes the request and hangs up without answering, as a killed podnetd does.
        try (UnixSocket fake = UnixSocket.listen(socket, 4)) {
            Thread t = Thread.ofPlatform().start(() -> {
                try (UnixSocket c = fake.accept()) {
                    ShimCall.read(c, new MemoryBudget(8 << 20, 1000).charge());
                }
            });
            Run r = shim(Map.of("CNI_COMMAND", "ADD"), "{\"cniVersion\":\"0.4.0\",\"name\":\"x\"}");
            t.join();
            assertThat(r.code()).isEqualTo(11);
            assertThat(r.error()).containsEntry("cniVersion", "0.4.0");
        }
    }

    @Test
    void daemonDyingWhileTheShimStillSendsIsTryAgainInValidJson() throws Exception {
        // It reads four bytes of a 1 MiB request and closes: the shim's send fails (EPIPE, no SIGPIPE death).
        try (UnixSocket fake = UnixSocket.listen(socket, 4)) {
            Thread t = Thread.ofPlatform().start(() -> {
                try (UnixSocket c = fake.accept()) {
                    c.readFully(4);
                }
            });
            byte[] stdin = ("{\"cniVersion\":\"1.0\\\\\"x\",\"pad\":\"" + "p".repeat(1 << 19) + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            Run r = shim(List.of(), Map.of("CNI_COMMAND", "ADD"), stdin);
            t.join();
            assertThat(r.exit()).as("not killed by SIGPIPE").isEqualTo(1);
            assertThat(r.code()).isEqualTo(11);
            // a cniVersion with a backslash is not echoed into the JSON unescaped
            assertThat(r.error()).containsEntry("cniVersion", "1.1.0");
        }
    }

    @Test
    void restartedDaemonServesTheNextCall() {
        daemon = Podnetd.start(socket, ShimAndDaemonTest::echo, System.err);
        assertThat(shim(Map.of("CNI_COMMAND", "ADD"), "").exit()).isZero();
        daemon.close();
        daemon = Podnetd.start(socket, ShimAndDaemonTest::echo, System.err);
        assertThat(shim(Map.of("CNI_COMMAND", "DEL"), "").out()).startsWith("bridge DEL");
    }

    @Test
    void theSocketIsPrivateAndASecondDaemonDoesNotTakeItOver() throws Exception {
        daemon = Podnetd.start(socket, ShimAndDaemonTest::echo, System.err);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        assertThatThrownBy(() -> Podnetd.start(socket, ShimAndDaemonTest::echo, System.err))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("another podnetd");
        assertThat(shim(Map.of("CNI_COMMAND", "ADD"), "").out()).as("the first one still serves").startsWith("bridge ADD");
    }

    @Test
    void aStaleSocketFileIsReplaced() throws Exception {
        UnixSocket.listen(socket, 1).close(); // a dead daemon's file: nobody accepts on it
        assertThat(socket).exists();
        daemon = Podnetd.start(socket, ShimAndDaemonTest::echo, System.err);
        assertThat(shim(Map.of("CNI_COMMAND", "ADD"), "").out()).startsWith("bridge ADD");
    }

    @Test
    void anIdleConnectionIsDropped() {
        daemon = Podnetd.start(socket, ShimAndDaemonTest::echo, System.err,
                new Podnetd.Settings(4, Duration.ofMillis(300), 8 << 20));
        try (UnixSocket c = UnixSocket.connect(socket)) {
            c.writeFully(ShimCall.MAGIC); // then nothing more
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> c.readFully(8)).hasMessageContaining("peer closed");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        }
        assertThat(shim(Map.of("CNI_COMMAND", "ADD"), "").out()).as("and the daemon serves on").startsWith("bridge ADD");
    }

    @Test
    void concurrentCallsAreBounded() throws Exception {
        AtomicInteger inside = new AtomicInteger(), most = new AtomicInteger();
        daemon = Podnetd.start(socket, (plugin, env, stdin) -> {
            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inside.decrementAndGet();
            return new CniResponse(0, new byte[0]);
        }, System.err, new Podnetd.Settings(2, Duration.ofSeconds(30), 8 << 20));
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Run>> runs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                runs.add(pool.submit(() -> shim(Map.of(), "")));
            }
            for (Future<Run> f : runs) {
                assertThat(f.get().exit()).isZero(); // the rest waited in the backlog, none was refused
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(most.get()).isEqualTo(2);
    }

    @Test
    void drainFinishesTheCallsInFlight() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        daemon = Podnetd.start(socket, (plugin, env, stdin) -> {
            entered.countDown();
            try {
                Thread.sleep(700);
            } catch (InterruptedException e) {
                return new CniResponse(9, "interrupted".getBytes(StandardCharsets.UTF_8));
            }
            return new CniResponse(0, "done".getBytes(StandardCharsets.UTF_8));
        }, System.err);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Run> inFlight = pool.submit(() -> shim(Map.of(), ""));
            assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(daemon.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(inFlight.get().out()).isEqualTo("done");
            assertThat(socket).doesNotExist();
            assertThat(shim(Map.of(), "abc").out()).as("new callers take the one-shot path").isEqualTo("oneshot bridge 3\n");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void callRunsInTheCallersNetworkNamespace() {
        daemon = Podnetd.start(socket, ShimAndDaemonTest::echo, System.err);
        try (TestNetns namespaces = new TestNetns("shim")) {
            Netns node = namespaces.add("node");
            long inode = NamespaceTable.inode(node.path());
            Run r = shim(List.of("nsenter", "--net=" + node.path()), Map.of("CNI_COMMAND", "ADD"), new byte[0]);
            assertThat(r.out()).endsWith(" " + inode);
        }
    }

    @Test
    void procSelfInCniNetnsIsTheCallerNotTheDaemon() {
        // The plugin reports the netns CNI_NETNS names: through the daemon it must be the shim's own.
        daemon = Podnetd.start(socket, (plugin, env, stdin) -> new CniResponse(0,
                Long.toString(NamespaceTable.inode(Path.of(env.get("CNI_NETNS")))).getBytes(StandardCharsets.UTF_8)), System.err);
        try (TestNetns namespaces = new TestNetns("self")) {
            Netns node = namespaces.add("node");
            Run r = shim(List.of("nsenter", "--net=" + node.path()), Map.of("CNI_NETNS", "/proc/self/ns/net"), new byte[0]);
            assertThat(r.out()).isEqualTo(Long.toString(NamespaceTable.inode(node.path())));
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
        assertThat(r.code()).isEqualTo(100);
        assertThat(r.out()).contains("root callers only");
    }
}
