package podnet.linux.ns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.jr.ob.JSON;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.ThrowawayNamespaces;

/** The lsns-like table, against {@code lsns -J}. */
class NamespaceTableTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("lsns");

    private static long inode(Path p) throws Exception {
        return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
    }

    private static NamespaceEntry entry(String type, long inode) {
        return NamespaceTable.list(type).stream().filter(e -> e.inode() == inode).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " namespace " + inode));
    }

    @Test
    void aProcessStartedInANetnsIsListedWithItsPidAndCommand() throws Exception {
        Netns ns = namespaces.add("proc");
        Process p = NsProcess.start(ns, new ProcessBuilder("sleep", "31"));
        try {
            NamespaceEntry e = entry("net", inode(ns.path()));
            assertThat(e.type()).isEqualTo("net");
            assertThat(e.nprocs()).isEqualTo(1);
            assertThat(e.pid()).isEqualTo(p.pid());
            assertThat(e.command()).isEqualTo("sleep 31");
            assertThat(e.user()).isEqualTo("root");
            assertThat(e.boundAt()).isEqualTo(ns.path().toString());
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void aBindMountedNetnsWithoutProcessesIsListedToo() throws Exception {
        Netns ns = namespaces.add("bound");
        NamespaceEntry e = entry("net", inode(ns.path()));
        assertThat(e.nprocs()).isZero();
        assertThat(e.pid()).isZero();
        assertThat(e.command()).isEmpty();
        assertThat(e.boundAt()).isEqualTo("/run/netns/" + ns.name());
    }

    @Test
    void everyTypeOfOurOwnProcess() {
        long self = ProcessHandle.current().pid();
        List<NamespaceEntry> all = NamespaceTable.list(null);
        for (String type : List.of("cgroup", "ipc", "mnt", "net", "pid", "user", "uts")) {
            long ino = NamespaceTable.inode(Path.of("/proc", Long.toString(self), "ns", type));
            assertThat(all).as(type).anySatisfy(e -> {
                assertThat(e.type()).isEqualTo(type);
                assertThat(e.inode()).isEqualTo(ino);
                assertThat(e.nprocs()).isPositive();
            });
        }
        assertThat(all).isSortedAccordingTo(java.util.Comparator.comparing(NamespaceEntry::type)
                .thenComparingLong(NamespaceEntry::inode));
    }

    @Test
    @SuppressWarnings("unchecked")
    void agreesWithLsns() throws Exception {
        Root.assumeProgram("lsns");
        Netns ns = namespaces.add("oracle");
        Process p = NsProcess.start(ns, new ProcessBuilder("sleep", "32"));
        try {
            long ino = inode(ns.path());
            String json = Ip.run("lsns", "-J", "-t", "net").ok().out();
            List<Map<String, Object>> rows = (List<Map<String, Object>>) JSON.std.mapFrom(json).get("namespaces");
            Map<String, Object> theirs = rows.stream().filter(r -> ((Number) r.get("ns")).longValue() == ino)
                    .findFirst().orElseThrow();
            NamespaceEntry ours = entry("net", ino);
            assertThat(ours.nprocs()).isEqualTo(((Number) theirs.get("nprocs")).intValue());
            assertThat(ours.pid()).isEqualTo(((Number) theirs.get("pid")).longValue());
            assertThat(ours.user()).isEqualTo(theirs.get("user"));
            assertThat(ours.command()).isEqualTo(theirs.get("command"));
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void unknownTypesAreRejected() {
        assertThatThrownBy(() -> NamespaceTable.list("network")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("network").hasMessageContaining("net");
    }

    @Test
    void inodeOfSomethingElseIsMinusOne() {
        assertThat(NamespaceTable.inode(Path.of("/nonexistent"))).isEqualTo(-1);
        assertThat(NamespaceTable.inode(Path.of("/proc/self/exe"))).isEqualTo(-1);
    }
}
