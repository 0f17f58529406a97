package podnet.linux.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;

/**
 * The extension itself: tests that fail (in the body, in @BeforeEach) are run by a nested
 * JUnit engine, and every namespace they made must be gone afterwards.
 */
class ThrowawayNamespacesTest {
    /** Names the nested tests made; the nested classes only run when this test launches them. */
    static final List<String> made = new CopyOnWriteArrayList<>();
    static volatile boolean launched;

    private static Events run(Class<?> tests) {
        made.clear();
        launched = true;
        try {
            return EngineTestKit.engine("junit-jupiter").selectors(selectClass(tests)).execute()
                    .testEvents();
        } finally {
            launched = false;
        }
    }

    private static void assertAllGone() {
        assertThat(made).isNotEmpty();
        assertThat(made).allSatisfy(n -> assertThat(NamedNetns.exists(n)).as(n).isFalse());
        assertThat(NamedNetns.list()).doesNotContainAnyElementsOf(made);
    }

    @Test
    void aFailingTestStillRemovesItsNamespaces() {
        Root.assume();
        run(FailingTests.class).assertStatistics(s -> s.started(3).failed(3));
        assertThat(made).hasSize(1 + 2 + 2); // add("a"); two Netns parameters; a node with one pod
        assertAllGone();
    }

    @Test
    void aFailingBeforeEachStillRemovesWhatItMade() {
        Root.assume();
        run(FailingSetup.class).assertStatistics(s -> s.started(1).failed(1));
        assertThat(made).hasSize(1);
        assertAllGone();
    }

    @Test
    void parametersAreFreshNamespacesAndBridgeNodes() {
        Root.assume();
        run(ParameterTests.class).assertStatistics(s -> s.started(2).succeeded(2));
        assertAllGone();
    }

    @Test
    void withoutARunningTestThereIsNothingToAddTo() {
        ThrowawayNamespaces idle = new ThrowawayNamespaces("idle");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> idle.add("x"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no test is running");
    }

    static class FailingTests {
        @RegisterExtension
        final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("tnsfail");

        @BeforeEach
        void onlyWhenLaunched() {
            assumeTrue(launched, "run by ThrowawayNamespacesTest only");
        }

        @Test
        void failsInTheBody() {
            made.add(namespaces.add("a").name());
            fail("on purpose, after making a namespace");
        }

        @Test
        void failsWithParameters(Netns x, Netns y) {
            made.add(x.name());
            made.add(y.name());
            throw new IllegalStateException("on purpose");
        }

        @Test
        void failsAfterABridgeNode(@ThrowawayNamespaces.Pods(1) BridgeNode node) {
            made.add(node.node.name());
            node.pods.forEach(p -> made.add(p.netns().name()));
            fail("on purpose");
        }
    }

    static class FailingSetup {
        @RegisterExtension
        final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("tnssetup");

        @BeforeEach
        void makesOneThenFails() {
            assumeTrue(launched, "run by ThrowawayNamespacesTest only");
            made.add(namespaces.add("half").name());
            throw new IllegalStateException("on purpose, in @BeforeEach");
        }

        @Test
        void neverRuns() {
            fail("@BeforeEach failed");
        }
    }

    @ExtendWith(ThrowawayNamespaces.class)
    static class ParameterTests {
        @BeforeEach
        void onlyWhenLaunched() {
            assumeTrue(launched, "run by ThrowawayNamespacesTest only");
        }

        @Test
        void twoNamespacesAreDistinctAndExist(Netns a, Netns b) {
            made.add(a.name());
            made.add(b.name());
            assertThat(a.name()).isNotEqualTo(b.name());
            assertThat(NamedNetns.exists(a.name())).isTrue();
            try (NetlinkHandle h = NetlinkHandle.open(a)) {
                assertThat(h.links().require("lo")).isNotNull();
            }
        }

        @Test
        void aBridgeNodeHasCni0AndTwoPods(BridgeNode node) {
            made.add(node.node.name());
            node.pods.forEach(p -> made.add(p.netns().name()));
            assertThat(node.pods).hasSize(2);
            try (NetlinkHandle h = NetlinkHandle.open(node.node)) {
                assertThat(h.links().require("cni0").isBridge()).isTrue();
            }
        }
    }
}
