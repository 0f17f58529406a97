package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.ns.NamedNetns;
import podnet.linux.sys.Signals;
import podnet.linux.sys.StopSignals;
import podnet.linux.testing.Root;
import podnet.node.cri.PrivateContainerd;

/**
 * {@code podnet demo --cri}: the article on a private containerd's CRI, with podnet's pause
 * holding each pod's netns; afterwards (also after a SIGINT half-way) no namespace, process,
 * mount, cgroup or file of it is left. Without containerd it says how to get it.
 */
class CriDemoTest {
    @TempDir
    Path out;

    static void assumeContainerd() {
        Root.assume();
        assumeTrue(PrivateContainerd.missingPrograms(System.getenv("PATH")).isEmpty(), "containerd and runc not installed");
    }

    @Test
    void criDemoRunsOnPauseAndLeavesNothing() throws Exception {
        assumeContainerd();
        Left before = Left.now();
        Podnet.Result r = new Podnet().run("demo", "--cri", "--out", out.toString());
        System.out.println(r.out());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .contains("$ podnet cri config --private " + CriDemoNode.CONTAINERD)
                .contains("sandbox_image = \"localhost/podnet/pause:0.1.0\"")
                .contains("$ podnet image import --cri-socket " + CriDemoNode.socket())
                .contains("pod/busybox1 created (cri sandbox ").contains("pod/busybox2 created (cri sandbox ")
                .contains("ICMP echo request").contains("ICMP echo reply")
                .contains("podnet demo: every step worked.");
        assertThat(r.out().lines().filter(l -> l.endsWith("/pause")).count()).as("ns list: /pause holds each pod's netns")
                .isGreaterThanOrEqualTo(2);
        assertThat(Left.now()).isEqualTo(before);
    }

    @Test
    void sigintHalfWayStillLeavesNothing() throws Exception {
        assumeContainerd();
        Left before = Left.now();
        Podnet.Running run = new Podnet().start("demo", "--cri", "--out", out.toString());
        long deadline = System.currentTimeMillis() + 180_000;
        while (!Files.exists(Demo.STATE.resolve("pods/busybox1/cri.json")) && !run.result().isDone()) {
            assertThat(System.currentTimeMillis()).as("the demo reaches its first CRI pod").isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(run.result().isDone()).as("still running: " + run.errSoFar()).isFalse();
        Signals.kill(ProcessHandle.current().pid(), StopSignals.SIGINT);
        Podnet.Result r = run.result().join();
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.err()).contains("stopped by a signal");
        assertThat(r.out()).contains("Clean up");
        assertThat(Left.now()).isEqualTo(before);
    }

    @Test
    void withoutContainerdItSaysHowToGetIt() {
        Podnet.Result r = new Podnet().env("PATH", "/nonexistent").run("demo", "--cri");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("podnet: containerd is not installed (no containerd, containerd-shim-runc-v2, runc on PATH)")
                .contains("podnet: hint: apt-get install containerd runc");
        assertThat(NamedNetns.exists(Demo.NODE)).isFalse();
    }

    @Test
    void criWithHostIsRefused() {
        Podnet.Result r = new Podnet().run("demo", "--cri", "--host");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("podnet: --cri and --host do not go together");
    }

    /** What a demo could leave: namespaces, its processes, mounts, cgroups, state, containerd's host paths. */
    record Left(List<String> netns, List<Long> processes, List<String> mounts, List<Path> cgroups, boolean state,
            boolean shimDir, boolean cniCache) {
        static Left now() throws IOException {
            List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .filter(l -> l.contains(Demo.STATE.toString())).toList();
            List<Long> procs = Stream.of(CriDemoNode.socket().toString(), CriDemoNode.CONTAINERD.resolve("config.toml").toString())
                    .flatMap(w -> procsNaming(w).stream()).toList();
            List<Path> cgroups = Stream.of("cpu", "memory", "pids", "systemd", "unified")
                    .map(h -> Path.of("/sys/fs/cgroup", h, CriDemoNode.CGROUP.substring(1))).filter(Files::exists).toList();
            return new Left(NamedNetns.list().stream().filter(n -> n.startsWith("podnet-demo") || n.startsWith("cni-")).toList(),
                    procs, mounts, cgroups, Files.exists(Demo.STATE), Files.exists(Path.of("/run/containerd")),
                    Files.exists(Path.of("/var/lib/cni")));
        }

        static List<Long> procsNaming(String word) {
            try (Stream<Path> s = Files.list(Path.of("/proc"))) {
                return s.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).filter(p -> {
                    try {
                        return List.of(new String(Files.readAllBytes(p.resolve("cmdline"))).split("\0")).contains(word);
                    } catch (IOException e) {
                        return false;
                    }
                }).map(p -> Long.parseLong(p.getFileName().toString())).toList();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
