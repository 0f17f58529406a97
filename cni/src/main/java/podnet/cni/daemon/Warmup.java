package podnet.cni.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import podnet.cni.CniResponse;
import podnet.cni.PluginRunner;
import podnet.cni.spec.Delegation;
import podnet.linux.fs.DirectoryTree;
import podnet.linux.ns.AnonymousNetns;
import podnet.linux.ns.NsThread;

/**
 * What a fresh podnetd does before it takes its first call: ADD, CHECK and DEL cycles of the
 * bridge plugin (host-local, gateway, masquerade) in two namespaces of its own that nobody
 * else sees and that vanish with it (see {@link AnonymousNetns}), so that the classes, the FFM
 * stubs and the JIT's first compilations are in place when the first pod comes. The same run,
 * with {@code -XX:AOTCacheOutput}, trains the daemon's AOT cache at install time.
 */
final class Warmup {
    private Warmup() {}

    /** Cycles a start does at most, and the time it may take (a busy node gets fewer cycles). */
    static final int CYCLES = 40;
    static final Duration BUDGET = Duration.ofMillis(1500);

    /** How a warm-up went: cycles completed, and the first and last cycle's time. */
    record Report(int cycles, long firstNanos, long lastNanos) {
        @Override
        public String toString() {
            return cycles + " ADD/CHECK/DEL cycles (the first " + firstNanos / 1_000_000 + " ms, the last "
                    + lastNanos / 100_000 / 10.0 + " ms)";
        }
    }

    /** Runs up to {@code cycles} cycles within {@code budget}. */
    static Report run(int cycles, Duration budget, PrintStream log) {
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
                             "routes":[{"dst":"0.0.0.0/0"}]}}""".formatted(data);
            String podPath = pod.netns().path().toString();
            // Lent for switches like a call thread (it ends afterwards): pods are entered in place.
            return node.netns().call(() -> NsThread.lentForSwitches(() -> {
                long deadline = System.nanoTime() + budget.toNanos();
                int done = 0;
                long first = 0, last = 0;
                call("VERSION", podPath, conf);
                while (done < cycles && System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    CniResponse add = call("ADD", podPath, conf);
                    if (add.exitCode() != 0) {
                        log.println("podnetd: warm-up ADD failed (serving anyway): " + add.stdoutText().strip());
                        break;
                    }
                    String prev = conf.substring(0, conf.length() - 1) + ",\"prevResult\":" + add.stdoutText().strip() + "}";
                    call("CHECK", podPath, prev);
                    call("DEL", podPath, conf);
                    last = System.nanoTime() - t0;
                    first = done == 0 ? last : first;
                    done++;
                }
                return new Report(done, first, last);
            }));
        } finally {
            DirectoryTree.deleteQuietly(data);
        }
    }

    private static CniResponse call(String command, String podNetns, String conf) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", "podnetd-warmup");
        env.put("CNI_NETNS", podNetns);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", "/nonexistent");
        return PluginRunner.run("bridge", env, conf.getBytes(StandardCharsets.UTF_8), Delegation.IN_PROCESS);
    }
}
