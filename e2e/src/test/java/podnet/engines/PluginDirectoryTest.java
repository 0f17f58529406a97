package podnet.engines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both engines execute the plugins of the directory they are given, and nothing else: every
 * ADD/DEL goes through the tracing wrappers (bridge, its IPAM host-local, loopback).
 */
class PluginDirectoryTest {
    @TempDir
    Path work;

    private TracingPlugins.Traced traced() throws Exception {
        CniPlugins reference = new CniPlugins("reference", CniPlugins.REFERENCE_DIR);
        assumeTrue(reference.missing().isEmpty(), "reference CNI plugins are not installed");
        return TracingPlugins.wrap(reference, work.resolve("traced-plugins"));
    }

    @Test
    void containerdRunsThePluginsOfTheGivenDirectory() throws Exception {
        EngineAssumptions.assumeEngine("containerd", "ctr");
        TracingPlugins.Traced traced = traced();
        try (E2eNode node = new E2eNode(work, traced.plugins())) {
            NodeSandbox sandbox = node.sandbox();
            new PodPairScenario(node.engine(Containerd.start(sandbox, work.resolve("containerd"), node.rootfs,
                    node.cgroups)), node).run();
        }
        assertAddAndDelTraced(traced.calls());
    }

    @Test
    void podmanRunsThePluginsOfTheGivenDirectory() throws Exception {
        EngineAssumptions.assumeEngine("podman", "conmon");
        TracingPlugins.Traced traced = traced();
        try (E2eNode node = new E2eNode(work, traced.plugins())) {
            NodeSandbox sandbox = node.sandbox();
            new PodPairScenario(node.engine(Podman.create(sandbox, work.resolve("podman"), node.rootfs,
                    node.cgroups, traced.plugins(), node.net)), node).run();
        }
        assertAddAndDelTraced(traced.calls());
    }

    /** The scenario's three containers (cold, a, b): one ADD each, and at least one DEL each. */
    private static void assertAddAndDelTraced(List<String> calls) {
        System.out.println("traced CNI calls:\n  " + String.join("\n  ", calls));
        for (String plugin : CniPlugins.NEEDED) {
            assertThat(calls).as("ADD %s", plugin).filteredOn(c -> c.startsWith("ADD " + plugin + " ")).hasSize(3);
            assertThat(calls).as("DEL %s", plugin).filteredOn(c -> c.startsWith("DEL " + plugin + " ")).hasSizeGreaterThanOrEqualTo(3);
        }
    }
}
