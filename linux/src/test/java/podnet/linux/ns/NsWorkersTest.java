package podnet.linux.ns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import podnet.linux.sys.SysException;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

class NsWorkersTest {
    static final Path SELF = Path.of("/proc/thread-self/ns/net");

    @Test
    void everyJobRunsInTheNamespaceAndTheCallerStaysHome() throws Exception {
        Root.assume();
        long home = NamespaceTable.inode(SELF);
        try (TestNetns namespaces = new TestNetns("workers")) {
            Netns node = namespaces.add("node");
            long inode = NamespaceTable.inode(node.path());
            Set<String> threadNames = ConcurrentHashMap.newKeySet();
            List<Thread> seen = new ArrayList<>();
            try (NsWorkers w = NsWorkers.start(node, 3, "test-workers")) {
                List<CompletableFuture<Long>> fs = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    fs.add(w.submit(() -> {
                        threadNames.add(Thread.currentThread().getName());
                        synchronized (seen) {
                            seen.add(Thread.currentThread());
                        }
                        return NamespaceTable.inode(SELF);
                    }));
                }
                for (CompletableFuture<Long> f : fs) {
                    assertThat(f.get()).isEqualTo(inode);
                }
                assertThat(w.call(() -> 42)).isEqualTo(42);
                assertThatThrownBy(() -> w.call(() -> {
                    throw new IllegalStateException("boom");
                })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
            }
            assertThat(threadNames).allMatch(n -> n.startsWith("test-workers-"));
            assertThat(seen).allMatch(t -> !t.isAlive());
            assertThat(NamespaceTable.inode(SELF)).isEqualTo(home);
        }
    }

    @Test
    void aNamespaceThatCannotBeJoinedFailsTheStart() {
        assertThatThrownBy(() -> NsWorkers.start(Netns.ofPath(Path.of("/nonexistent/netns")), 2, "test-workers"))
                .isInstanceOf(SysException.class);
    }
}
