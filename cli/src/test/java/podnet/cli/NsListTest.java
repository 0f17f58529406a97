package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import podnet.linux.ns.NamespaceTable;
import podnet.linux.testing.Root;

/** {@code podnet ns list} finds a process that lives in a namespace of its own, like lsns. */
class NsListTest {
    Podnet podnet = new Podnet();
    Process sleeper;

    @AfterEach
    void tearDown() throws Exception {
        if (sleeper != null) {
            sleeper.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void seesAProcessInANewUtsNamespace() throws Exception {
        Root.assume();
        Root.assumeProgram("unshare");
        sleeper = new ProcessBuilder("unshare", "--uts", "sleep", "61").start();
        Path link = Path.of("/proc", Long.toString(sleeper.pid()), "ns", "uts");
        long host = NamespaceTable.inode(Path.of("/proc/thread-self/ns/uts"));
        long inode = -1;
        for (int i = 0; i < 100 && (inode < 0 || inode == host); i++) {
            Thread.sleep(20);
            inode = NamespaceTable.inode(link);
        }
        assertThat(inode).isNotEqualTo(host);
        long mineInode = inode;

        Podnet.Result table = podnet.run("ns", "list", "-t", "uts").ok();
        assertThat(table.out().lines().findFirst().orElseThrow())
                .contains("NS").contains("TYPE").contains("NPROCS").contains("PID").contains("USER").contains("COMMAND");
        assertThat(table.out()).contains(Long.toString(mineInode)).contains("sleep 61");

        List<Map<String, Object>> rows = podnet.run("ns", "list", "-t", "uts", "-j").ok().jsonList();
        Map<String, Object> mine = rows.stream()
                .filter(m -> ((Number) m.get("ns")).longValue() == mineInode).findFirst().orElseThrow();
        assertThat(mine.get("type")).isEqualTo("uts");
        assertThat(((Number) mine.get("pid")).longValue()).isEqualTo(sleeper.pid());
        assertThat(rows).allMatch(m -> "uts".equals(m.get("type")));
    }

    @Test
    void unknownTypeIsAnError() {
        Podnet.Result r = podnet.run("ns", "list", "-t", "bogus");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("unknown namespace type").contains("net");
    }
}
