package podnet.engines;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
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
}
