package podnet.linux.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import podnet.linux.ns.Netns;

/**
 * Throwaway network namespaces per test, removed after each test whether it passed, failed or
 * threw in {@code @BeforeEach} (they go after the test's own {@code @AfterEach}, so that can
 * still use them). Needs root: without it the test is skipped.
 *
 * <pre>{@code
 * @RegisterExtension
 * final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("links");
 *
 * @Test void x() { Netns a = namespaces.add("a"); ... }          // named pn-style, unique
 * @Test void y(Netns a, Netns b) { ... }                          // one fresh netns per parameter
 * @Test void z(@ThrowawayNamespaces.Pods(3) BridgeNode node) { ... } // cni0 + 3 pods
 * }</pre>
 * With {@code @ExtendWith(ThrowawayNamespaces.class)} instead, parameters work the same.
 */
public final class ThrowawayNamespaces implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    /** How many pods a {@link BridgeNode} parameter gets (default 2). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.PARAMETER)
    public @interface Pods {
        int value();
    }

    private final String label;
    private TestNetns current;

    public ThrowawayNamespaces(String label) {
        this.label = label;
    }

    public ThrowawayNamespaces() {
        this("pn");
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        current = new TestNetns(label); // assumes root
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TestNetns done = current;
        current = null;
        if (done != null) {
            done.close();
        }
    }

    /** This test's namespaces, for fixtures that take a {@link TestNetns} (e.g. BridgeNode). */
    public TestNetns current() {
        if (current == null) {
            throw new IllegalStateException("no test is running: throwaway namespaces exist from @BeforeEach to @AfterEach");
        }
        return current;
    }

    /** See {@link TestNetns#name(String)}. */
    public String name(String base) {
        return current().name(base);
    }

    /** A new namespace named {@link #name(String)} of {@code base}, removed after the test. */
    public Netns add(String base) {
        return current().add(base);
    }

    /** Registers a namespace something else will create under {@code fullName}, for removal. */
    public void track(String fullName) {
        current().track(fullName);
    }

    /** The article's node: cni0 in a node namespace and {@code pods} pods on it. */
    public BridgeNode bridgeNode(int pods) {
        return BridgeNode.create(current(), pods);
    }

    /** Removes every namespace made so far, now; the test goes on and may make new ones. */
    public void removeAll() {
        current().close();
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext context) {
        Class<?> type = p.getParameter().getType();
        return type == Netns.class || type == BridgeNode.class || type == TestNetns.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext context) {
        Class<?> type = p.getParameter().getType();
        if (type == TestNetns.class) {
            return current();
        }
        if (type == BridgeNode.class) {
            return bridgeNode(p.findAnnotation(Pods.class).map(Pods::value).orElse(2));
        }
        // Parameter names need -parameters; otherwise arg0, arg1: unique either way.
        return add(p.getParameter().getName());
    }
}
