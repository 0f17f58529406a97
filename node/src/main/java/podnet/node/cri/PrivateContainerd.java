package podnet.node.cri;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import podnet.cri.CriClient;
import podnet.cri.CriException;
import podnet.cri.api.PodSandbox;
import podnet.linux.fs.DirectoryTree;
import podnet.linux.fs.SearchPath;
import podnet.linux.ns.Netns;
import podnet.linux.ns.NsProcess;
import podnet.linux.sys.Errno;
import podnet.linux.sys.Namespaces;
import podnet.linux.sys.Signals;
import podnet.linux.sys.SysException;
import podnet.node.pod.PodException;

/**
 * A containerd of its own, with its CRI plugin, for a demo: started in a network namespace (the
 * node's) in its own session, with a {@link ContainerdConfig} that keeps root, state, sockets,
 * runc's state and the sandboxes' netns files under one directory; its pods' cgroups under a
 * parent of its own. {@link #close()} takes all of it away again, also after a crash half-way:
 * the sandboxes (through CRI), containerd, any shim or container process left, mounts under the
 * directory, the cgroup parent, the directory, and the two host paths containerd 1.6 insists on
 * ({@value #SHIM_SOCKETS} for its shims' sockets, libcni's {@value #CNI_CACHE}) when it made them.
 */
public final class PrivateContainerd implements AutoCloseable {
    static final String SHIM_SOCKETS = "/run/containerd";
    static final String CNI_CACHE = "/var/lib/cni";
    static final Duration START = Duration.ofSeconds(30);
    /** The host paths this instance made, one a line, so that a cleanup by another process knows them too. */
    static final String HOST_PATHS = "host-paths-made";

    private final Path dir;
    private final String cgroupParent;
    private final Process daemon;
    private final CriClient cri;

    private PrivateContainerd(Path dir, String cgroupParent, Process daemon, CriClient cri) {
        this.dir = dir;
        this.cgroupParent = cgroupParent;
        this.daemon = daemon;
        this.cri = cri;
    }

    /** The programs a CRI containerd needs that are not on {@code pathEnv} (a PATH value; empty: all there). */
    public static List<String> missingPrograms(String pathEnv) {
        List<String> missing = new ArrayList<>();
        for (String p : List.of("containerd", "containerd-shim-runc-v2", "runc")) {
            if (SearchPath.find(p, pathEnv).isEmpty()) {
                missing.add(p);
            }
        }
        return missing;
    }

    /**
     * Writes {@code config} (its private directory is {@code dir}) as {@code dir/config.toml},
     * starts containerd in {@code netns} with {@code env} added to its environment (the CNI
     * plugins it runs inherit it), and waits until CRI answers.
     */
    public static PrivateContainerd start(Netns netns, Path dir, ContainerdConfig config, String cgroupParent,
            Map<String, String> env) {
        if (!dir.toAbsolutePath().equals(config.privateDir())) {
            throw new IllegalArgumentException("the config's private directory is " + config.privateDir() + ", not " + dir);
        }
        List<Path> hostPaths = new ArrayList<>();
        for (String p : List.of(SHIM_SOCKETS, CNI_CACHE)) {
            if (!Files.exists(Path.of(p))) {
                hostPaths.add(Path.of(p));
            }
        }
        // Checked before anything is written: a missing containerd leaves no directory behind.
        Path containerd = SearchPath.find("containerd").orElseThrow(
                () -> new PodException("containerd is not installed", "apt-get install containerd runc"));
        Path configFile = dir.resolve("config.toml");
        Path log = dir.resolve("containerd.log");
        try {
            Files.createDirectories(dir);
            // for a later cleanUp by another process (a kept demo's --clean)
            Files.write(dir.resolve(HOST_PATHS), hostPaths.stream().map(Path::toString).toList());
            Files.writeString(configFile, config.toml());
        } catch (IOException e) {
            throw new UncheckedIOException("write " + configFile, e);
        }
        // Its own session: a Ctrl-C on the terminal reaches the demo, which then stops it in order.
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/setsid", containerd.toString(), "--config", configFile.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        Process daemon = NsProcess.start(netns, pb);
        PrivateContainerd c = new PrivateContainerd(dir, cgroupParent, daemon, null);
        Path socket = ContainerdConfig.socket(dir);
        long deadline = System.nanoTime() + START.toNanos();
        while (true) {
            if (Files.exists(socket)) {
                CriClient client = CriClient.connect(socket);
                try {
                    client.version();
                    return new PrivateContainerd(dir, cgroupParent, daemon, client);
                } catch (CriException e) {
                    client.close(); // not serving CRI yet
                }
            }
            if (!daemon.isAlive() || System.nanoTime() > deadline || Thread.currentThread().isInterrupted()) {
                String tail = c.logTail();
                c.close();
                throw new PodException("containerd did not come up" + (daemon.isAlive() ? " in " + START.toSeconds() + " s" : "")
                        + ": " + tail, "its log was " + log + "; is another containerd using the same directories?");
            }
            sleep(50);
        }
    }

    public Path socket() {
        return ContainerdConfig.socket(dir);
    }

    public CriClient cri() {
        return cri;
    }

    public String cgroupParent() {
        return cgroupParent;
    }

    public long pid() {
        return daemon.pid();
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("containerd.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** Everything away, in order; safe after a failed start and to call twice. */
    @Override
    public void close() {
        if (cri != null) {
            if (daemon.isAlive()) {
                removeSandboxes(cri);
            }
            cri.close();
        }
        stop(daemon.pid(), daemon);
        cleanUp(dir, cgroupParent);
    }

    /**
     * Removes what a private containerd in {@code dir} left, whoever started it (a kept demo
     * whose JVM is gone): its sandboxes through CRI while it still answers, then containerd
     * itself, its shims and containers, mounts, the cgroup parent, the directory and the host
     * paths it made.
     */
    public static void cleanUp(Path dir, String cgroupParent) {
        Path socket = ContainerdConfig.socket(dir);
        List<Long> daemons = processesNaming(dir.toAbsolutePath().resolve("config.toml").toString());
        if (!daemons.isEmpty() && Files.exists(socket)) {
            try (CriClient c = CriClient.connect(socket)) {
                removeSandboxes(c);
            } catch (CriException e) {
                // not answering: killed below
            }
        }
        for (long pid : daemons) {
            Signals.kill(pid, Signals.SIGTERM);
        }
        awaitGone(daemons, 10_000);
        daemons.forEach(pid -> Signals.kill(pid, Signals.SIGKILL));
        // Shims outlive containerd by design; each names its containerd's socket in argv.
        List<Long> shims = processesNaming(socket.toString());
        shims.forEach(pid -> Signals.kill(pid, Signals.SIGKILL));
        awaitGone(shims, 5_000);
        removeCgroups(cgroupParent);
        unmountUnder(dir);
        List<Path> hostPaths = List.of();
        try {
            if (Files.exists(dir.resolve(HOST_PATHS))) {
                hostPaths = Files.readAllLines(dir.resolve(HOST_PATHS)).stream().filter(l -> !l.isBlank()).map(Path::of).toList();
            }
        } catch (IOException e) {
            // then they stay
        }
        DirectoryTree.delete(dir);
        for (Path p : hostPaths) {
            removeEmptyTree(p);
        }
    }

    private static void removeSandboxes(CriClient c) {
        try {
            for (PodSandbox s : c.listPodSandbox()) {
                try {
                    c.stopPodSandbox(s.getId());
                    c.removePodSandbox(s.getId());
                } catch (CriException e) {
                    // killed with the cgroup
                }
            }
        } catch (CriException e) {
            // containerd is going away anyway
        }
    }

    private static void awaitGone(List<Long> pids, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (pids.stream().anyMatch(pid -> Files.exists(Path.of("/proc/" + pid))) && System.nanoTime() < deadline) {
            sleep(20);
        }
    }

    private static void stop(long pid, Process p) {
        if (!p.isAlive()) {
            return;
        }
        Signals.kill(pid, Signals.SIGTERM);
        try {
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                Signals.kill(pid, Signals.SIGKILL);
                p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Signals.kill(pid, Signals.SIGKILL);
        }
    }

    /** PIDs whose command line has {@code word} as one argument. */
    static List<Long> processesNaming(String word) {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")));
                    if (List.of(cmdline.split("\0")).contains(word)) {
                        out.add(Long.parseLong(name));
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("list /proc", e);
        }
        return out;
    }

    /** Kills what is left in cgroup {@code parent} (every hierarchy) and removes its directories. */
    static void removeCgroups(String parent) {
        if (parent == null || parent.isBlank() || parent.equals("/")) {
            return;
        }
        for (int attempt = 0; attempt < 100; attempt++) {
            List<Path> roots = cgroupRoots(parent);
            if (roots.isEmpty()) {
                return;
            }
            for (Path root : roots) {
                for (Path d : dirsDeepestFirst(root)) {
                    try {
                        for (String pid : Files.readAllLines(d.resolve("cgroup.procs"))) {
                            if (!pid.isBlank()) {
                                Signals.kill(Long.parseLong(pid.strip()), Signals.SIGKILL);
                            }
                        }
                        Files.deleteIfExists(d); // rmdir; EBUSY while a dying task still counts
                    } catch (IOException e) {
                        // again after a moment
                    }
                }
            }
            sleep(50);
        }
    }

    private static List<Path> cgroupRoots(String parent) {
        List<Path> roots = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 2 && (f[2].equals("cgroup") || f[2].equals("cgroup2"))) {
                    Path r = Path.of(f[1], parent.substring(1));
                    if (Files.isDirectory(r)) {
                        roots.add(r);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("read /proc/self/mounts", e);
        }
        return roots;
    }

    private static List<Path> dirsDeepestFirst(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isDirectory).sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList();
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
    }

    /** Detaches every mount at or below {@code dir} (container rootfs, shm, netns pins), deepest first. */
    static void unmountUnder(Path dir) {
        Path base = dir.toAbsolutePath();
        List<Path> mounts = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4) {
                    Path m = Path.of(f[4].replace("\\040", " "));
                    if (m.startsWith(base)) {
                        mounts.add(m);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("read /proc/self/mountinfo", e);
        }
        mounts.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        for (Path m : mounts) {
            try {
                Namespaces.umount2(m.toString(), Namespaces.MNT_DETACH);
            } catch (SysException e) {
                if (!e.is(Errno.EINVAL) && !e.is(Errno.ENOENT)) {
                    throw e;
                }
            }
        }
    }

    /** Removes {@code p} if it holds nothing but empty directories. */
    static void removeEmptyTree(Path p) {
        if (!Files.isDirectory(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
            if (all.stream().allMatch(Files::isDirectory)) {
                for (Path d : all) {
                    Files.deleteIfExists(d);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // something new in it: leave it
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
