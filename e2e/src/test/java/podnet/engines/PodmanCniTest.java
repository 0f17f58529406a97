package podnet.engines;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** podman 4.3 with its CNI backend runs two containers on each available plugin set. */
class PodmanCniTest {
    @TempDir
    Path work;

    @BeforeAll
    static void needs() {
        EngineAssumptions.assumeEngine("podman", "conmon");
    }

    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("podnet.engines.CniPlugins#available")
    void twoContainersShareTheBridge(CniPlugins plugins) throws Exception {
        try (E2eNode node = new E2eNode(work, plugins)) {
            NodeSandbox sandbox = node.sandbox();
            Podman podman = node.engine(Podman.create(sandbox, work.resolve("podman"), node.rootfs, node.cgroups, plugins, node.net));
            new PodPairScenario(podman, node).run();
        }
        EngineAssumptions.assertNothingLeft(work);
    }

    /** The figure for "from the second container on": see {@link SideBySideTiming}. */
    @Test
    void laterContainersSideBySide() throws Exception {
        List<CniPlugins> sets = SideBySideTiming.bothSets();
        assumeTrue(sets.size() == 2, "needs both the reference plugins and podnet's");
        try (E2eNode ref = new E2eNode(work.resolve("r"), sets.get(0)); // short: podman wants a runroot under 50 chars
                E2eNode ours = new E2eNode(work.resolve("p"), sets.get(1))) {
            new SideBySideTiming(side(ref), side(ours), SideBySideTiming.rounds()).run();
        }
        EngineAssumptions.assertNothingLeft(work);
    }

    private static SideBySideTiming.Side side(E2eNode node) throws Exception {
        NodeSandbox sandbox = node.sandbox();
        Podman podman = Podman.create(sandbox, node.work.resolve("podman"), node.rootfs, node.cgroups, node.plugins, node.net);
        return new SideBySideTiming.Side(node, sandbox, node.engine(podman));
    }
}
