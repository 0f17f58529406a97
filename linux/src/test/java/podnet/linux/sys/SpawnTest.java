package podnet.linux.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import podnet.linux.ns.NamespaceTable;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

class SpawnTest {
    static final Path SH = Path.of("/bin/sh");

    static String text(Spawn.Result r) {
        return new String(r.stdout(), StandardCharsets.UTF_8);
    }

    @Test
    void feedsStdinCollectsStdoutAndExitCode() {
        Spawn.Result r = Spawn.run(SH, List.of("-c", "tr a-z A-Z; exit 7"), Map.of("PATH", "/usr/bin:/bin"),
                "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(text(r)).isEqualTo("HELLO");
        assertThat(r.exitCode()).isEqualTo(7);
    }

    @Test
    void passesExactlyTheGivenEnvironmentAndDiscardsStderr() {
        Spawn.Result r = Spawn.run(SH, List.of("-c", "echo oops >&2; env | sort"), Map.of("A", "1", "B", "two words"), new byte[0]);
        assertThat(text(r).lines().filter(l -> !l.startsWith("PWD=") && !l.startsWith("SHLVL=") && !l.startsWith("_=")))
                .containsExactly("A=1", "B=two words");
    }

    @Test
    void childThatIgnoresStdinAndLargeOutputAreFine() {
        byte[] big = new byte[200_000];
        Spawn.Result r = Spawn.run(SH, List.of("-c", "head -c 300000 /dev/zero"), Map.of("PATH", "/usr/bin:/bin"), big);
        assertThat(r.stdout()).hasSize(300_000);
        assertThat(r.exitCode()).isZero();
    }

    @Test
    void killedChildReportsTheSignal() {
        assertThat(Spawn.run(SH, List.of("-c", "kill -9 $$"), Map.of(), new byte[0]).exitCode()).isEqualTo(128 + 9);
    }

    @Test
    void missingProgramIsAnError() {
        assertThatThrownBy(() -> Spawn.run(Path.of("/nonexistent/prog"), List.of(), Map.of(), new byte[0]))
                .isInstanceOf(SysException.class).hasMessageContaining("posix_spawn");
    }

    @Test
    void childIsBornInTheCallingThreadsNetns() {
        Root.assume();
        try (TestNetns namespaces = new TestNetns("spawn")) {
            Netns node = namespaces.add("node");
            Spawn.Result r = node.call(() -> Spawn.run(Path.of("/usr/bin/readlink"), List.of("/proc/self/ns/net"), Map.of(), new byte[0]));
            assertThat(text(r).strip()).isEqualTo("net:[" + NamespaceTable.inode(node.path()) + "]");
        }
    }
}
