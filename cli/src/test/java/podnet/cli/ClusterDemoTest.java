package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.ns.NamedNetns;
import podnet.linux.testing.Root;
import podnet.node.testing.EtcdServer;

/**
 * {@code podnet demo cluster} end to end (fixed names: run under the suite lock): every step
 * works, the encapsulated packets and the trace are shown, the picture is written, and nothing
 * is left afterwards.
 */
class ClusterDemoTest {
    @TempDir
    Path out;

    @Test
    void theClusterDemoRunsAndLeavesNothing() throws Exception {
        Root.assume();
        EtcdServer.assumeInstalled();
        Root.assumeProgram("ping");
        Podnet.Result r = new Podnet().run("demo", "cluster", "--out", out.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("joined: subnet").contains("(this node)")
                .contains(".8472: OTV, flags [I] (0x08), overlay 0, instance 1").contains("ICMP echo request")
                .contains("result: OK").contains("via flannel.1 (VXLAN, UDP 8472 to 192.168.50.13)");
        assertThat(Files.readString(out.resolve("podnet-cluster.svg"))).startsWith("<svg").contains("class=\"tunnel\"");
        assertThat(Files.readString(out.resolve("podnet-cluster.html"))).contains("<svg").contains("tunnels:");
        assertThat(NamedNetns.list()).noneMatch(n -> n.startsWith(ClusterDemo.PREFIX));
        assertThat(ClusterDemo.STATE).doesNotExist();
    }
}
