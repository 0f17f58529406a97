package podnet.engines;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
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
}
