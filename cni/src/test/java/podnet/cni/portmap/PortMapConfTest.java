package podnet.cni.portmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import podnet.cni.spec.CniError;
import podnet.cni.spec.NetConf;
import podnet.cni.spec.Result;
import podnet.linux.inet.Cidr;
import podnet.linux.nftables.HostPort;

/** The reference's keys and defaults, and the addresses portmap forwards to. */
class PortMapConfTest {
    static NetConf conf(String extra) {
        return NetConf.parse(("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"portmap\"" + extra + "}")
                .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void defaults() {
        PortMapConf c = PortMapConf.of(conf(",\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":80,\"containerPort\":8080}]}"));
        assertThat(c.snat()).isTrue();
        assertThat(c.mark()).isEqualTo(0x2000);
        assertThat(c.ports()).containsExactly(new HostPort(80, 8080, "tcp", null));
        assertThat(PortMapConf.of(conf("")).ports()).isEmpty();
    }

    @Test
    void keys() {
        PortMapConf c = PortMapConf.of(conf(",\"snat\":false,\"markMasqBit\":5,\"runtimeConfig\":{\"portMappings\":"
                + "[{\"hostPort\":53,\"containerPort\":5353,\"protocol\":\"UDP\",\"hostIP\":\"192.168.1.2\"}]}"));
        assertThat(c.snat()).isFalse();
        assertThat(c.mark()).isEqualTo(0x20);
        assertThat(c.ports()).containsExactly(new HostPort(53, 5353, "udp", Cidr.parseAddress("192.168.1.2")));
    }

    @Test
    void keysOfAnyCaseAsContainerdSendsThem() {
        PortMapConf c = PortMapConf.of(conf(",\"runtimeConfig\":{\"portMappings\":"
                + "[{\"HostPort\":8080,\"ContainerPort\":80,\"Protocol\":\"tcp\",\"HostIP\":\"\"}]}"));
        assertThat(c.ports()).containsExactly(new HostPort(8080, 80, "tcp", null));
    }

    @Test
    void badInput() {
        for (String bad : List.of(",\"markMasqBit\":32",
                ",\"externalSetMarkChain\":\"KUBE-MARK-MASQ\"",
                ",\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":0,\"containerPort\":80}]}",
                ",\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":80,\"containerPort\":70000}]}",
                ",\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":80,\"containerPort\":80,\"protocol\":\"sctp\"}]}",
                ",\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":80,\"containerPort\":80,\"hostIP\":\"x\"}]}")) {
            assertThatThrownBy(() -> PortMapConf.of(conf(bad))).as(bad).isInstanceOf(CniError.class);
        }
    }

    @Test
    void forwardsToTheFirstPodAddressOfEachFamily() {
        Result prev = new Result("1.0.0",
                List.of(new Result.Iface("cni0", "aa:aa:aa:aa:aa:aa", null), new Result.Iface("eth0", "bb:bb:bb:bb:bb:bb", "/run/netns/x")),
                List.of(new Result.IpConfig(Cidr.parse("10.0.0.1/24"), null, 0), // the bridge's: not the pod's
                        new Result.IpConfig(Cidr.parse("10.244.2.5/24"), null, 1),
                        new Result.IpConfig(Cidr.parse("10.244.2.6/24"), null, 1),
                        new Result.IpConfig(Cidr.parse("fd00::5/64"), null, 1)),
                List.of(), null);
        assertThat(PortMap.podAddresses(prev)).containsExactly(Cidr.parse("10.244.2.5/24"), Cidr.parse("fd00::5/64"));
    }
}
