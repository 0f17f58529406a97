package podnet.engines;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/**
 * The image (deploy/Containerfile, FROM scratch, staged by deploy/build-image.sh) is built with
 * podman and run as the DaemonSet runs it, on a throwaway "host": a node netns with a private
 * mount namespace ({@link NodeSandbox}: its own /run, /dev/shm) and a private vfs store, so
 * nothing of podman's on this machine is touched. In order: build; {@code podnet --version};
 * the install step writing the host's CNI bin dir ({@code --self-contained --no-autostart});
 * podnetd in its container, answering a CNI VERSION through the shim inside it and a pod ADD from
 * the host's shim; then, podnetd stopped, the host's shim falls back to the one-shot path on the
 * runtime the install copied — with the host's JDK hidden (a tmpfs over /usr/lib/jvm) — and a
 * second pod is added and pings the first. Images, containers and cgroups are removed after.
 */
class ContainerImageTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String IMAGE = "localhost/podnet-image-test:" + ProcessHandle.current().pid();
    static final String CONF = """
            {"cniVersion":"1.0.0","name":"img","type":"bridge","bridge":"cni0","isGateway":true,
             "ipam":{"type":"host-local","dataDir":"%s","subnet":"10.244.9.0/24"}}""";

    @TempDir
    Path work;
    final CgroupTree cgroups = new CgroupTree("podnet-image-" + ProcessHandle.current().pid());

    @Test
    void imageBuildsRunsAndServesTheHostsPlugins() throws Exception {
        EngineAssumptions.assumeEngine("podman", "cc");
        assertThat(ROOT.resolve("cli/target/podnet-cli.jar")).as("built by mvn package before e2e").exists();
        Path hostBin = Files.createDirectories(work.resolve("host-opt-cni-bin"));
        Path leases = Files.createDirectories(work.resolve("leases"));
        Files.createDirectories(work.resolve("tmp"));
        Files.writeString(work.resolve("containers.conf"), containersConf());
        Files.writeString(work.resolve("storage.conf"), Podman.storageConf(work));
        Map<String, String> env = Map.of("CONTAINERS_CONF", work.resolve("containers.conf").toString(),
                "CONTAINERS_STORAGE_CONF", work.resolve("storage.conf").toString());
        try (TestNetns ns = new TestNetns("img")) {
            String node = ns.add("host").name();
            PrivateMounts mounts = new PrivateMounts().tmpfs(Path.of("/run")).tmpfs(Path.of("/dev/shm"));
            try (NodeSandbox host = NodeSandbox.start(node, mounts, work.resolve("sandbox.log"))) {
                try {
                    // 1. Build, timed: jlink (cached in deploy/target), staging, podman build.
                    long t0 = System.nanoTime();
                    Cmd.Result build = host.exec(Duration.ofMinutes(8), env,
                            List.of(ROOT.resolve("deploy/build-image.sh").toString(), "--tag", IMAGE)).ok();
                    System.out.printf("image build | %d ms | %s%n", (System.nanoTime() - t0) / 1_000_000,
                            build.err().strip().replace('\n', ';'));
                    assertThat(podman(host, env, "image", "inspect", "--format", "{{.Size}}", IMAGE).ok().out().strip())
                            .satisfies(size -> System.out.println("image size | " + Long.parseLong(size) / (1 << 20) + " MiB"));

                    // 2. podnet runs in it: no shell, no JDK there, only the jlink'd runtime.
                    assertThat(run(host, env, List.of(), "--version").ok().out()).startsWith("podnet 0.1.0");
                    assertThat(run(host, env, List.of("--entrypoint", "/bin/sh"), "-c", "true").exit()).isNotZero();

                    // 3. The DaemonSet's install step, into the host's bin dir.
                    t0 = System.nanoTime();
                    run(host, env, List.of("-v", hostBin + ":/host/opt/cni/bin"),
                            "cni", "install", "--bin-dir", "/host/opt/cni/bin", "--self-contained", "--no-autostart").ok();
                    System.out.printf("image install-cni | %d ms%n", (System.nanoTime() - t0) / 1_000_000);
                    assertHostFilesStandAlone(hostBin);

                    // 4. podnetd in its container: the shim inside answers VERSION (the liveness probe's call).
                    host.exec(Duration.ofSeconds(10), Map.of(), List.of("mkdir", "-p", "/run/podnet")).ok(); // hostPath DirectoryOrCreate
                    podman(host, env, "run", "--detach", "--name", "podnetd", "--privileged", "--pid", "host",
                            "--network", "host", "--cgroup-parent", "/" + cgroups.name() + "/podnetd",
                            "-e", "CNI_COMMAND=VERSION", "-e", "PODNET_SHIM_NO_FALLBACK=1",
                            "-v", "/run/podnet:/run/podnet", "-v", hostBin + ":/opt/cni/bin", IMAGE, "daemon", "run").ok();
                    awaitSocket(host);
                    assertThat(podman(host, env, "exec", "podnetd", "/opt/cni/bin/loopback").ok().out())
                            .contains("\"supportedVersions\"", "\"1.1.0\"");

                    // 5. The host's shim (JDK hidden) -> podnetd in the container: a pod ADD.
                    String conf = CONF.formatted(leases);
                    // In the host's own mount namespace: the hidden-JDK calls each get a child of it.
                    host.exec(Duration.ofSeconds(20), Map.of(), List.of("sh", "-c", "ip netns add pod1 && ip netns add pod2")).ok();
                    Cmd.Result add1 = hostSide(host, cni(hostBin, "ADD", "pod1", conf, true)).ok();
                    assertThat(add1.out()).contains("\"10.244.9.2/24\"");

                    // 6. podnetd gone: the one-shot path on the copied runtime, still without a host JDK.
                    podman(host, env, "stop", "--time", "10", "podnetd").ok();
                    Cmd.Result noDaemon = hostSide(host, cni(hostBin, "ADD", "pod2", conf, true));
                    assertThat(noDaemon.exit()).isNotZero();
                    assertThat(noDaemon.out()).contains("\"code\":11");
                    Cmd.Result add2 = hostSide(host, cni(hostBin, "ADD", "pod2", conf, false)).ok();
                    assertThat(add2.out()).contains("\"10.244.9.3/24\"");
                    hostSide(host, "ip netns exec pod2 ping -c 1 -W 5 10.244.9.2").ok();
                    hostSide(host, cni(hostBin, "DEL", "pod1", conf, false) + " && " + cni(hostBin, "DEL", "pod2", conf, false)).ok();
                    assertThat(hostSide(host, "ls " + leases + "/img").ok().out().lines()
                            .filter(l -> l.startsWith("10."))).isEmpty();
                } finally {
                    podman(host, env, "rm", "--all", "--force", "--time", "0");
                    podman(host, env, "rmi", "--all", "--force");
                    String left = podman(host, env, "images", "--all", "--quiet").out().strip()
                            + podman(host, env, "ps", "--all", "--quiet").out().strip();
                    host.exec(Duration.ofSeconds(20), Map.of(), List.of("sh", "-c", "for n in pod1 pod2; do ip netns del $n 2>/dev/null; done; true"));
                    assertThat(left).as("images or containers left").isEmpty();
                }
            } finally {
                cgroups.remove();
            }
        }
        EngineAssumptions.assertNothingLeft(work);
    }

    /** The installed files name nothing of the container's filesystem nor a JDK of the host's. */
    private static void assertHostFilesStandAlone(Path hostBin) throws IOException {
        for (String script : List.of("podnet-oneshot", "podnetd")) {
            String text = Files.readString(hostBin.resolve(script));
            assertThat(text).as(script).doesNotContain("/host/", "/opt/podnet", "/usr/lib/jvm").contains("\"$d\"/");
        }
        try (Stream<Path> files = Files.walk(hostBin.resolve("podnet-lib"))) {
            assertThat(files.filter(p -> p.endsWith("runtime/bin/java")).toList()).hasSize(1);
        }
        // The shim (a static ELF, not the script stand-in): it needs nothing of the host's C library.
        byte[] bridge = Files.readAllBytes(hostBin.resolve("bridge"));
        assertThat(new String(bridge, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ELF");
        assertThat(hasInterpreter(bridge)).as("the shim names a dynamic loader").isFalse();
    }

    /** Whether a 64-bit ELF file has a PT_INTERP program header (a dynamic loader to run it). */
    static boolean hasInterpreter(byte[] elf) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(elf).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54)), phnum = Short.toUnsignedInt(b.getShort(56));
        for (int i = 0; i < phnum; i++) {
            if (b.getInt((int) phoff + i * phentsize) == 3) {
                return true;
            }
        }
        return false;
    }

    /** A shell command on the host, with the host's JDK hidden. */
    private static Cmd.Result hostSide(NodeSandbox host, String script) {
        return host.exec(Duration.ofMinutes(2), Map.of(), List.of("unshare", "--mount", "--propagation", "private",
                "sh", "-c", "mount -t tmpfs none /usr/lib/jvm && " + script));
    }

    /** A CNI call of the installed bridge from the host side (stdin: the conf). */
    private static String cni(Path hostBin, String command, String pod, String conf, boolean daemonOnly) {
        return "echo " + PrivateMounts.quote(conf) + " | env CNI_COMMAND=" + command + " CNI_CONTAINERID=" + pod
                + " CNI_NETNS=/run/netns/" + pod + " CNI_IFNAME=eth0 CNI_PATH=" + hostBin
                + (daemonOnly ? " PODNET_SHIM_NO_FALLBACK=1" : "") + " " + hostBin.resolve("bridge");
    }

    private static Cmd.Result podman(NodeSandbox host, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of("podman"));
        cmd.addAll(List.of(args));
        return host.exec(Duration.ofMinutes(3), env, cmd);
    }

    private Cmd.Result run(NodeSandbox host, Map<String, String> env, List<String> opts, String... args) {
        List<String> cmd = new ArrayList<>(List.of("run", "--rm", "--privileged", "--network", "host",
                "--cgroup-parent", "/" + cgroups.name() + "/run"));
        cmd.addAll(opts);
        cmd.add(IMAGE);
        cmd.addAll(List.of(args));
        return podman(host, env, cmd.toArray(String[]::new));
    }

    private static void awaitSocket(NodeSandbox host) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (host.exec(Duration.ofSeconds(10), Map.of(), List.of("test", "-S", "/run/podnet/podnetd.sock")).exit() != 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("podnetd in its container did not listen within 60 s");
            }
            Pids.sleep(200);
        }
    }

    private String containersConf() {
        return """
                [containers]
                # The sandbox cannot grant podman's default nofile/nproc limits.
                default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

                [engine]
                cgroup_manager = "cgroupfs"
                events_logger = "file"
                events_logfile_path = "%s"
                runtime = "runc"
                tmp_dir = "%s"
                """.formatted(work.resolve("events.log"), work.resolve("tmp"));
    }
}
