package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.ns.NamedNetns;
import podnet.linux.testing.Root;

/** {@code podnet demo} runs the whole article and leaves nothing behind. */
class DemoTest {
    @TempDir
    Path out;

    @Test
    void demoPassesAndLeavesNothingBehind() throws Exception {
        Root.assume();
        Podnet.Result r = new Podnet().run("demo", "--out", out.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .contains("$ podnet veth add veth0A veth0B")
                .contains("pod/busybox1 created (ip 10.244.2.")
                .contains("ARP, Request who-has 10.244.2.3 tell 10.244.2.2")
                .contains("ICMP echo request").contains("ICMP echo reply")
                .contains("└─ bridge cni0 10.244.2.1/24")
                .contains("podnet demo: every step worked.");
        assertThat(out.resolve("podnet-demo-topology.svg")).exists();
        assertThat(Files.readString(out.resolve("podnet-demo-topology.html"))).contains("podnet-busybox2");
        assertThat(NamedNetns.list()).noneMatch(n -> n.startsWith("podnet-demo") || n.startsWith("podnet-busybox"));
        assertThat(Demo.STATE).doesNotExist();
    }

    @Test
    void keptDemoIsRefusedUntilCleaned() throws Exception {
        Root.assume();
        Podnet podnet = new Podnet();
        try {
            assertThat(podnet.run("demo", "--keep", "--out", out.toString()).exit()).isZero();
            assertThat(NamedNetns.exists(Demo.NODE)).isTrue();
            Podnet.Result again = podnet.run("demo", "--out", out.toString());
            assertThat(again.exit()).isNotZero();
            assertThat(again.err()).contains("podnet demo --clean");
        } finally {
            assertThat(podnet.run("demo", "--clean").exit()).isZero();
        }
        assertThat(NamedNetns.exists(Demo.NODE)).isFalse();
        assertThat(NamedNetns.exists("podnet-busybox1")).isFalse();
        assertThat(Demo.STATE).doesNotExist();
    }
}
