package podnet.linux.ns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.sys.SysException;
import podnet.linux.testing.TestNetns;

/** UTS and IPC namespaces pinned on files, verified through a process that joins them. */
class PinnedNamespacesTest {
    TestNetns namespaces;
    Netns ns;
    @TempDir
    Path dir;

    @BeforeEach
    void setUp() {
        namespaces = new TestNetns("pinned");
        ns = namespaces.add("a");
    }

    @AfterEach
    void tearDown() {
        namespaces.close();
    }

    private static long inode(Path p) {
        return NamespaceTable.inode(p);
    }

    @Test
    void aProcessJoiningThePinsHasTheHostnameAndItsOwnIpc() throws Exception {
        PinnedNamespaces p = PinnedNamespaces.create(ns, "pinned-pod", dir.resolve("ns/uts"), dir.resolve("ns/ipc"));
        try {
            List<Path> files = new ArrayList<>(List.of(ns.path()));
            files.addAll(p.files());
            Process child = NsProcess.start(files, new ProcessBuilder("sh", "-c", "hostname; sleep 30"));
            try {
                var out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
                assertThat(out.readLine()).isEqualTo("pinned-pod");
                Path proc = Path.of("/proc", Long.toString(child.pid()), "ns");
                assertThat(inode(proc.resolve("uts"))).isEqualTo(inode(p.uts()))
                        .isNotEqualTo(inode(Path.of("/proc/thread-self/ns/uts")));
                assertThat(inode(proc.resolve("ipc"))).isEqualTo(inode(p.ipc()))
                        .isNotEqualTo(inode(Path.of("/proc/thread-self/ns/ipc")));
            } finally {
                child.destroyForcibly().waitFor();
            }
        } finally {
            p.remove();
        }
        assertThat(p.uts()).doesNotExist();
        assertThat(p.ipc()).doesNotExist();
        p.remove(); // idempotent
    }

    @Test
    void aFailedCreateLeavesNoFiles() {
        // sethostname refuses names longer than 64 bytes (EINVAL) after the pins' files exist.
        Path uts = dir.resolve("ns/uts");
        assertThatThrownBy(() -> PinnedNamespaces.create(ns, "x".repeat(65), uts, dir.resolve("ns/ipc")))
                .isInstanceOf(SysException.class).hasMessageContaining("sethostname");
        assertThat(uts).doesNotExist();
        assertThat(dir.resolve("ns/ipc")).doesNotExist();
        assertThat(Files.exists(ns.path())).as("the netns is the caller's").isTrue();
    }
}
