package podnet.engines;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** containerd 1.6 + {@code ctr run --cni} runs two containers on each available plugin set. */
class ContainerdCniTest {
    @TempDir
    Path work;

    @BeforeAll
    static void needs() {
        EngineAssumptions.assumeEngine("containerd", "ctr");
    }

    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("podnet.engines.CniPlugins#available")
    void twoContainersShareTheBridge(CniPlugins plugins) throws Exception {
        try (E2eNode node = new E2eNode(work, plugins)) {
            NodeSandbox sandbox = node.sandbox();
            Containerd containerd = node.engine(Containerd.start(sandbox, work.resolve("containerd"), node.rootfs, node.cgroups));
            new PodPairScenario(containerd, node).run();
        }
        EngineAssumptions.assertNothingLeft(work);
    }

    /** The figure for "from the second container on": see {@link SideBySideTiming}. */
    @Test
    void laterContainersSideBySide() throws Exception {
        List<CniPlugins> sets = SideBySideTiming.bothSets();
        assumeTrue(sets.size() == 2, "needs both the reference plugins and podnet's");
        try (E2eNode ref = new E2eNode(work.resolve("r"), sets.get(0));
                E2eNode ours = new E2eNode(work.resolve("p"), sets.get(1))) {
            new SideBySideTiming(side(ref), side(ours), SideBySideTiming.rounds()).run();
        }
        EngineAssumptions.assertNothingLeft(work);
    }

    private static SideBySideTiming.Side side(E2eNode node) throws Exception {
        NodeSandbox sandbox = node.sandbox();
        Containerd containerd = Containerd.start(sandbox, node.work.resolve("containerd"), node.rootfs, node.cgroups);
        return new SideBySideTiming.Side(node, sandbox, node.engine(containerd));
    }
}
