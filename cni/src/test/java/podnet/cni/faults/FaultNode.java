package podnet.cni.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import podnet.cni.install.Installer;
import podnet.cni.spec.Json;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;
import podnet.linux.ns.NsProcess;
import podnet.linux.testing.ChildProcess;
import podnet.linux.testing.Ip;
import podnet.linux.testing.TestNetns;

/**
 * A throwaway node for the fault tests: a node netns, podnet's executables installed into a
 * temporary bin dir, and podnetd as a real process (the flags of {@code ./podnet daemon})
 * behind a socket held the way systemd's socket unit holds it (see src/test/c/socket-holder.c):
 * the socket outlives the daemon, a killed daemon is restarted, calls in between wait.
 * Every shim call is made from inside the node netns with the one-shot fallback forbidden, so
 * each one goes through podnetd.
 */
final class FaultNode implements AutoCloseable {
    /** The same bounds as `./podnet daemon` sets. */
    static final List<String> DAEMON_JVM = List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xms8m", "-Xmx64m", "-Xss256k", "-XX:ReservedCodeCacheSize=32m",
            "-XX:MaxMetaspaceSize=96m", "-Xlog:disable", "-Xlog:all=warning:stderr");

    final TestNetns ns;
    final Netns node;
    final Path dir, bin, data, socket, pidFile, stopFile, log;
    final String subnetPrefix;
    private final Process holder;

    private FaultNode(TestNetns ns, Netns node, Path dir, String subnetPrefix) {
        this.ns = ns;
        this.node = node;
        this.dir = dir;
        this.subnetPrefix = subnetPrefix;
        bin = dir.resolve("bin");
        data = dir.resolve("ipam");
        socket = dir.resolve("d.sock");
        pidFile = dir.resolve("podnetd.pid");
        stopFile = dir.resolve("stop");
        log = dir.resolve("podnetd.log");
        Installer.install(bin, null);
        List<String> cmd = new ArrayList<>(List.of(holderBinary().toString(), socket.toString(), pidFile.toString(),
                stopFile.toString(), Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(DAEMON_JVM);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DaemonProcess.class.getName(), socket.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("MALLOC_ARENA_MAX", "2");
        try {
            holder = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A started node; see {@link ThrowawayFaultNode} for one that a test gets and loses by itself. */
    static FaultNode start(String tag, Path dir, String subnetPrefix) {
        TestNetns ns = new TestNetns(tag);
        FaultNode n;
        try {
            n = new FaultNode(ns, ns.add("node"), dir, subnetPrefix);
        } catch (RuntimeException | Error e) {
            ns.close();
            throw e;
        }
        try {
            n.awaitReady(0);
            return n;
        } catch (RuntimeException | Error e) {
            n.close(); // the holder and its daemon too, not only the namespaces
            throw e;
        }
    }

    /** cc'd once per build into target/: the socket holder. */
    static Path holderBinary() {
        return compiled("socket-holder");
    }

    /** A test helper from src/test/c, compiled into target/ on first use. */
    static synchronized Path compiled(String name) {
        Path out = Path.of("target", name);
        if (!Files.isExecutable(out)) {
            Ip.run("cc", "-O2", "-Wall", "-o", out.toString(), "src/test/c/" + name + ".c").ok();
        }
        return out;
    }

    /** The network config of the node's pods. */
    String conf() {
        return """
                {"cniVersion":"1.0.0","name":"faults","type":"bridge","bridge":"cni0","isGateway":true,"ipMasq":true,
                 "ipam":{"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"%s0/24"}]]}}""".formatted(data, subnetPrefix);
    }

    /** The running daemon's pid, once it serves (a restarted one: a pid other than {@code not}). */
    long awaitReady(long not) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            long pid = readPid();
            if (pid > 0 && pid != not && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                // A VERSION call waits in the backlog until the daemon accepts: then it serves.
                Shim v = shim(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"1.0.0\"}");
                if (v.exit() == 0) {
                    return pid;
                }
            }
            sleep(50);
        }
        throw new AssertionError("podnetd did not come up; its log:\n" + readLog());
    }

    private long readPid() {
        try {
            return Long.parseLong(Files.readString(pidFile).strip());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    long daemonPid() {
        return readPid();
    }

    String readLog() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    record Shim(int exit, String out) {
        /** Valid CNI output with a matching exit status: a result (or nothing) on 0, an error with a code otherwise. */
        Shim valid(String what) {
            if (exit == 0) {
                if (!out.isBlank()) {
                    Json.parseObject(out.getBytes(StandardCharsets.UTF_8), what);
                }
                return this;
            }
            assertThat(exit).as("%s: exit %d (a signal?) with %s", what, exit, out).isBetween(1, 127);
            Map<String, Object> m = Json.parseObject(out.getBytes(StandardCharsets.UTF_8), what);
            assertThat(m.get("code")).as("%s: %s", what, out).isInstanceOf(Integer.class);
            assertThat(m.get("msg")).as("%s: %s", what, out).isInstanceOf(String.class);
            assertThat(m.get("cniVersion")).as("%s: %s", what, out).isInstanceOf(String.class);
            return this;
        }

        int code() {
            return exit == 0 ? 0 : (Integer) Json.parseObject(out.getBytes(StandardCharsets.UTF_8), "error").get("code");
        }
    }

    /** The bridge shim run from inside the node netns with {@code env} (CNI_PATH, the socket, no fallback added). */
    Shim shim(Map<String, String> env, String stdin) {
        return shim(env, stdin.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(60));
    }

    Shim shim(Map<String, String> env, byte[] stdin, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(bin.resolve("bridge").toString());
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        pb.environment().put("CNI_PATH", bin.toString());
        pb.environment().putAll(env);
        pb.environment().put("PODNET_SOCKET", socket.toString());
        pb.environment().put("PODNET_SHIM_NO_FALLBACK", "1");
        ChildProcess.Result r = ChildProcess.finish(NsProcess.start(node, pb), stdin, timeout);
        return new Shim(r.exit(), r.out());
    }

    static Map<String, String> attachment(String command, String id, Netns pod) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", id);
        env.put("CNI_NETNS", pod == null ? "" : pod.path().toString());
        env.put("CNI_IFNAME", "eth0");
        return env;
    }

    Shim add(String id, Netns pod) {
        return shim(attachment("ADD", id, pod), conf());
    }

    Shim del(String id, Netns pod) {
        return shim(attachment("DEL", id, pod), conf());
    }

    /** Host veths in the node. */
    int veths() {
        try (NetlinkHandle h = NetlinkHandle.open(node)) {
            int n = 0;
            for (Link l : h.links().list()) {
                n += l.isVeth() ? 1 : 0;
            }
            return n;
        }
    }

    /** The lease files (names that are addresses) in the network's store. */
    List<String> leases() {
        String[] files = data.resolve("faults").toFile().list();
        List<String> out = new ArrayList<>();
        for (String f : files == null ? new String[0] : files) {
            if (f.startsWith(subnetPrefix)) {
                out.add(f);
            }
        }
        return out;
    }

    /** The masquerade set's elements in the node, as nft lists them. */
    String nftRuleset() {
        return Ip.run("ip", "netns", "exec", node.name(), "nft", "-j", "list", "ruleset").ok().out();
    }

    static long rssKib(long pid) {
        return statusField(pid, "VmRSS:");
    }

    static long statusField(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).replace("kB", "").strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no " + field);
    }

    static int fds(long pid) {
        String[] l = new java.io.File("/proc/" + pid + "/fd").list();
        return l == null ? -1 : l.length;
    }

    /**
     * The descriptors podnetd holds beyond its kept call threads' own: each kept thread holds two
     * (its home mount and network namespaces), and a call that comes while the last one's thread
     * is still on its way back to the idle list gets a new thread (see CallThreads) — more
     * threads kept, no descriptor leaked.
     */
    static int fdsBesideCallThreads(long pid) {
        int fds = fds(pid);
        String[] tasks = new java.io.File("/proc/" + pid + "/task").list();
        int callThreads = 0;
        for (String t : tasks == null ? new String[0] : tasks) {
            try {
                callThreads += Files.readString(Path.of("/proc", Long.toString(pid), "task", t, "comm")).strip()
                        .equals("podnetd-call") ? 1 : 0;
            } catch (IOException e) {
                // the thread ended meanwhile
            }
        }
        return fds < 0 ? fds : fds - 2 * callThreads;
    }

    /**
     * The descriptors podnetd holds once quiet, beside its call threads: the fewest seen within {@code ms}, ending early
     * at {@code atMost}. A shim exits as soon as it has its answer, so the daemon may not yet have
     * closed that connection when the last call returns; a leak stays, whatever the wait.
     */
    static int settledFds(long pid, int atMost, long ms) {
        int fewest = fdsBesideCallThreads(pid);
        for (long deadline = System.nanoTime() + ms * 1_000_000; fewest > atMost && System.nanoTime() < deadline; ) {
            sleep(20);
            fewest = Math.min(fewest, fdsBesideCallThreads(pid));
        }
        return fewest;
    }

    /** Nothing of any pod is left in the node: no host veth, no lease, no nft set element. */
    void assertNothingLeft(String what) {
        assertThat(veths()).as("%s: host veths left in the node", what).isZero();
        assertThat(leases()).as("%s: leases left", what).isEmpty();
        assertThat(nftRuleset()).as("%s: nft set elements left", what).doesNotContain("\"elem\"");
    }

    /** CPU time (user + system) of the process, in clock ticks. */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void signal(long pid, String signal) {
        Ip.run("kill", "-" + signal, Long.toString(pid)).ok();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        try {
            Files.writeString(stopFile, "stop");
            long pid = readPid();
            if (pid > 0) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy); // SIGTERM: drain and exit
            }
            if (!holder.waitFor(30, TimeUnit.SECONDS)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                holder.destroyForcibly();
                holder.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ns.close();
        }
    }
}
