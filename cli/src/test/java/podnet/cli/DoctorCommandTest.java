package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.netlink.BridgePort;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.sysctl.Sysctl;
import podnet.linux.testing.BridgeNode;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/** {@code podnet doctor}: exit 1 and the fix when something is wrong, JSON with -j, clear errors for bad input. */
class DoctorCommandTest {
    @TempDir
    Path state;

    @Test
    void forwardingOffIsReportedWithItsFixAndExitOne() {
        Root.assume();
        try (TestNetns ns = new TestNetns("observe")) {
            BridgeNode node = BridgeNode.create(ns, 1);
            Sysctl.set(node.node, "net.ipv4.ip_forward", "0");
            Podnet.Result r = new Podnet().stateDir(state).run("doctor", "-n", node.node.name());
            assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
            assertThat(r.out()).contains("FAIL ip_forward").contains("fix:").contains("sysctl -w net.ipv4.ip_forward=1")
                    .contains("problem(s)");
            Podnet.Result j = new Podnet().stateDir(state).run("doctor", "-n", node.node.name(), "-j");
            assertThat(j.exit()).isEqualTo(1);
            Map<String, Object> doc = j.jsonObject();
            assertThat(doc.get("ok")).isEqualTo(false);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> findings = (List<Map<String, Object>>) doc.get("findings");
            assertThat(findings).anyMatch(f -> f.get("check").equals("ip_forward") && f.get("ok").equals(false));
            Sysctl.set(node.node, "net.ipv4.ip_forward", "1");
            try (NetlinkHandle h = NetlinkHandle.open(node.node)) {
                h.links().setBridgePort(node.pods.get(0).hostVeth(), BridgePort.Change.hairpin(true));
            }
            assertThat(new Podnet().stateDir(state).run("doctor", "-n", node.node.name()).out()).contains("healthy");
        }
    }

    @Test
    void badInput() throws Exception {
        Podnet.Result r = new Podnet().stateDir(state).run("doctor", "--network", state.resolve("none.conflist").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("podnet: no conflist").contains("podnet: hint:");
        Path bad = Files.writeString(state.resolve("bad.conflist"), "{\"name\":\"x\",\"plugins\":[{\"type\":\"loopback\"}]}");
        Root.assume();
        try (TestNetns ns = new TestNetns("observe")) {
            BridgeNode node = BridgeNode.create(ns, 0);
            Podnet.Result b = new Podnet().stateDir(state).run("doctor", "-n", node.node.name(), "--network", bad.toString());
            assertThat(b.exit()).isEqualTo(1);
            assertThat(b.err()).contains("has no bridge plugin");
        }
        assertThat(new Podnet().stateDir(state).run("doctor", "-n", "no-such-node-doctor").err()).contains("does not exist");
    }
}
