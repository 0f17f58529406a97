package podnet.cni.loopback;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.cni.testing.Cni;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Ip;
import podnet.linux.testing.ThrowawayNamespaces;

class LoopbackTest {
    @RegisterExtension
    final ThrowawayNamespaces ns = new ThrowawayNamespaces("lo");
    Netns node;

    @BeforeEach
    void setUp() {
        node = ns.add("node");
    }

    static final String CONF = "{\"cniVersion\":\"1.1.0\",\"name\":\"lo\",\"type\":\"loopback\"}";

    @Test
    void bringsLoUpAndReportsItsAddresses() {
        Netns pod = ns.add("pod");
        Cni.Out r = Cni.of("ADD", "c1", pod.path().toString(), "eth0").ours(node, "loopback", CONF).ok();
        assertThat(Ip.link(pod.name(), "lo").get("flags").toString()).contains("UP");
        assertThat(r.list("interfaces").get(0)).containsEntry("name", "lo").containsEntry("mac", "00:00:00:00:00:00");
        assertThat(r.address(0)).isEqualTo("127.0.0.1/8");
        Cni.of("CHECK", "c1", pod.path().toString(), "eth0").ours(node, "loopback",
                CONF.replace("}", ",\"prevResult\":" + r.stdout() + "}")).ok();
        Cni.of("DEL", "c1", pod.path().toString(), "eth0").ours(node, "loopback", CONF).ok();
        assertThat(Ip.link(pod.name(), "lo").get("flags").toString()).doesNotContain("UP");
    }

    @Test
    void passesPrevResultThrough() {
        Netns pod = ns.add("pod");
        String prev = "{\"cniVersion\":\"0.4.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/x\"}],"
                + "\"ips\":[{\"version\":\"4\",\"interface\":0,\"address\":\"10.1.2.3/24\",\"gateway\":\"10.1.2.1\"}]}";
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"lo\",\"type\":\"loopback\",\"prevResult\":" + prev + "}";
        Cni.Out r = Cni.of("ADD", "c1", pod.path().toString(), "lo").ours(node, "loopback", conf).ok();
        assertThat(r.json().get("cniVersion")).isEqualTo("1.0.0");
        assertThat(r.address(0)).isEqualTo("10.1.2.3/24");
        assertThat(r.list("ips").get(0)).doesNotContainKey("version");
    }

    @Test
    void delToleratesMissingAndEmptyNetns() {
        Netns pod = ns.add("pod");
        NamedNetns.delete(pod.name());
        Cni.of("DEL", "c1", pod.path().toString(), "eth0").ours(node, "loopback", CONF).ok();
        Cni.of("DEL", "c1", "", "eth0").ours(node, "loopback", CONF).ok();
        assertThat(Cni.of("ADD", "c1", pod.path().toString(), "eth0").ours(node, "loopback", CONF).code()).isEqualTo(4);
    }
}
