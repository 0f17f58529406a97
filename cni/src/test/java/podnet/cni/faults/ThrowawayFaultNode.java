package podnet.cni.faults;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import podnet.linux.fs.DirectoryTree;
import podnet.linux.testing.Root;

/**
 * A {@link FaultNode} for a fault test: its node netns, installed shims and podnetd behind the
 * socket holder, in a temporary directory, all removed afterwards whether the test passed,
 * failed or threw while starting. Skips the test without root, nft or the built shim.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ThrowawayFaultNode node = new ThrowawayFaultNode("kill", "10.244.61."); // one daemon for the class
 *
 * @Test void x(FaultNode n) { ... }          // or node.get()
 * }</pre>
 * A static field gives the class one node (its tests share the daemon); an instance field, one
 * per test. After every test the node must be as it started: no host veth, no lease, no nft
 * set element (a test that leaves some fails). When a test fails, podnetd's log is printed.
 */
final class ThrowawayFaultNode implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback,
        ParameterResolver {
    private final String tag, subnetPrefix;
    private FaultNode node;
    private Path dir;
    private boolean perClass;

    /** {@code tag} names the namespaces, {@code subnetPrefix} ("10.244.61.") the pods' /24: unique per test class. */
    ThrowawayFaultNode(String tag, String subnetPrefix) {
        this.tag = tag;
        this.subnetPrefix = subnetPrefix;
    }

    /** The running node (between the test's {@code @BeforeEach} and {@code @AfterEach}, or the class's). */
    FaultNode get() {
        if (node == null) {
            throw new IllegalStateException("no fault node: it exists while a test (or its class) runs");
        }
        return node;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            if (context.getExecutionException().isPresent() && node != null) {
                System.err.println("podnetd's log (" + context.getDisplayName() + " failed):\n" + node.readLog());
            } else if (node != null) {
                node.assertNothingLeft(context.getDisplayName());
            }
        } finally {
            if (!perClass) {
                stop();
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    private void start() {
        Root.assume();
        Root.assumeProgram("nft");
        Root.assumeProgram("cc"); // the socket holder and the call runner are compiled on first use
        assumeTrue(Files.isExecutable(Path.of("target/podnet-shim")), "the shim was not built (no cc)");
        try {
            dir = Files.createTempDirectory("podnet-faults-" + tag + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            node = FaultNode.start(tag, dir, subnetPrefix);
        } catch (RuntimeException | Error e) {
            DirectoryTree.deleteQuietly(dir);
            dir = null;
            throw e;
        }
    }

    private void stop() {
        FaultNode n = node;
        node = null;
        try {
            if (n != null) {
                n.close();
            }
        } finally {
            if (dir != null) {
                DirectoryTree.deleteQuietly(dir);
                dir = null;
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext context) {
        return p.getParameter().getType() == FaultNode.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext context) {
        return get();
    }
}
