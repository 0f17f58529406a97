package podnet.engines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.ns.NamedNetns;

/**
 * A test that dies with a container still running must leave nothing behind: the fixture kills
 * the engine, its shims/monitors and the container by PID, and removes the cgroups, the private
 * mounts and the node netns.
 */
class CleanupOnFailureTest {
    @TempDir
    Path work;

    @Test
    void containerdLeftRunningIsCleanedUp() throws Exception {
        EngineAssumptions.assumeEngine("containerd", "ctr");
        abandonRunningContainer((node, sandbox) -> node.engine(
                Containerd.start(sandbox, work.resolve("containerd"), node.rootfs, node.cgroups)));
    }

    @Test
    void podmanLeftRunningIsCleanedUp() throws Exception {
        EngineAssumptions.assumeEngine("podman", "conmon");
        abandonRunningContainer((node, sandbox) -> node.engine(Podman.create(sandbox, work.resolve("podman"),
                node.rootfs, node.cgroups, node.plugins, node.net)));
    }

    interface EngineStarter {
        Engine start(E2eNode node, NodeSandbox sandbox) throws Exception;
    }

    private void abandonRunningContainer(EngineStarter starter) throws Exception {
        CniPlugins reference = new CniPlugins("reference", CniPlugins.REFERENCE_DIR);
        assumeTrue(reference.missing().isEmpty(), "reference CNI plugins are not installed");
        long[] seen = new long[2]; // the holder, the container init
        String[] netnsName = new String[1];
        CgroupTree[] tree = new CgroupTree[1];
        assertThatThrownBy(() -> {
            try (E2eNode node = new E2eNode(work, reference)) {
                netnsName[0] = node.nodeNetns;
                tree[0] = node.cgroups;
                NodeSandbox sandbox = node.sandbox();
                seen[0] = sandbox.pid();
                Engine engine = starter.start(node, sandbox);
                engine.launch("a");
                engine.awaitRunning("a");
                OptionalLong pid = engine.pid("a");
                assertThat(pid).isPresent();
                seen[1] = pid.getAsLong();
                throw new IllegalStateException("test failed half-way");
            }
        }).hasMessage("test failed half-way");

        assertThat(Pids.alive(seen[0])).as("holder").isFalse();
        assertThat(Pids.alive(seen[1])).as("container init").isFalse();
        assertThat(tree[0].roots()).as("cgroups").isEmpty();
        assertThat(NamedNetns.list()).as("netns").doesNotContain(netnsName[0]);
        assertThat(Files.readAllLines(Path.of("/proc/self/mounts"))).noneMatch(l -> l.contains(work.toString()));
        for (String engine : List.of("containerd", "containerd-shim-runc-v2", "conmon")) {
            assertThat(ProcessHandle.allProcesses().filter(h -> Pids.alive(h.pid()))
                    .filter(h -> h.info().command().orElse("").endsWith("/" + engine))
                    .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(work.toString())
                            || String.join(" ", a).contains(tree[0].name())).orElse(false)))
                    .as("%s processes of this test", engine).isEmpty();
        }
    }
}
