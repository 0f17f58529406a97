package podnet.linux.packet.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import podnet.linux.packet.CapturedPacket;
import podnet.linux.packet.Fixtures;
import podnet.linux.packet.Oracle;
import podnet.linux.testing.Root;

/**
 * Filters select the same frames of the recorded exchange as tcpdump does with the same
 * expression, both as compiled BPF (run by a test interpreter) and evaluated in Java.
 */
public class CaptureFilterTest {
    public static final String[] EXPRESSIONS = {
        "arp", "ip", "ip6", "icmp", "icmp6", "tcp", "udp",
        "host 10.244.2.208", "src host 10.244.2.207", "dst host 10.244.2.208",
        "tcp port 5000", "udp port 9999", "port 5001", "src port 5000", "dst port 5000", "tcp dst port 5001",
        "net 10.244.0.0/16", "dst net 10.244.2.0/24", "src net 10.0.0.0/8",
        "icmp or arp", "host 10.244.2.207 and not arp", "not (tcp or udp)", "tcp && !port 5001 || icmp",
        "ip6 and not icmp6", "ether host ff:ff:ff:ff:ff:ff", "ether src host 00:00:00:00:00:01",
        "udp or (tcp and src port 5000)", "host ff02::16", "dst host ff02::2", "src host ::",
    };

    @ParameterizedTest
    @ValueSource(strings = {
        "arp", "ip", "ip6", "icmp", "icmp6", "tcp", "udp",
        "host 10.244.2.208", "src host 10.244.2.207", "dst host 10.244.2.208",
        "tcp port 5000", "udp port 9999", "port 5001", "src port 5000", "dst port 5000", "tcp dst port 5001",
        "net 10.244.0.0/16", "dst net 10.244.2.0/24", "src net 10.0.0.0/8",
        "icmp or arp", "host 10.244.2.207 and not arp", "not (tcp or udp)", "tcp && !port 5001 || icmp",
        "ip6 and not icmp6", "ether host ff:ff:ff:ff:ff:ff", "ether src host 00:00:00:00:00:01",
        "udp or (tcp and src port 5000)", "host ff02::16", "dst host ff02::2", "src host ::",
    })
    void selectsTheSameFramesAsTcpdump(String expression) {
        Root.assumeProgram("tcpdump");
        List<CapturedPacket> frames = Fixtures.exchange();
        CaptureFilter filter = CaptureFilter.parse(expression);
        assertThat(filter.inKernel()).isTrue();
        BpfProgram bpf = filter.bpf(262144).orElseThrow();
        long byBpf = frames.stream().filter(p -> BpfInterpreter.run(bpf, p.data()) > 0).count();
        long byJava = frames.stream().filter(p -> filter.matches(p.data())).count();
        Path file = Path.of("target/test-classes/packet/exchange.pcap").toAbsolutePath();
        int byTcpdump = Oracle.tcpdump(file, expression).size();
        assertThat(byBpf).as("BPF vs tcpdump for '%s'", expression).isEqualTo(byTcpdump);
        assertThat(byJava).as("Java vs tcpdump for '%s'", expression).isEqualTo(byTcpdump);
    }

    @Test
    void frameByFrameBpfAndJavaAgree() {
        List<CapturedPacket> frames = Fixtures.exchange();
        for (String e : EXPRESSIONS) {
            CaptureFilter f = CaptureFilter.parse(e);
            BpfProgram bpf = f.bpf(96).orElseThrow();
            for (CapturedPacket p : frames) {
                int ret = BpfInterpreter.run(bpf, p.data());
                assertThat(ret == 96).as("%s on %s", e, p).isEqualTo(f.matches(p.data()));
            }
        }
    }

    @Test
    void acceptedFramesReturnTheSnapLength() {
        BpfProgram p = CaptureFilter.parse("arp").bpf(128).orElseThrow();
        assertThat(p.instructions().get(p.size() - 2).k()).isEqualTo(128);
        assertThat(p.instructions().getLast().k()).isZero();
    }

    @Test
    void vlanIsFilteredInJava() {
        CaptureFilter f = CaptureFilter.parse("vlan 10 and icmp");
        assertThat(f.inKernel()).isFalse();
        assertThat(f.bpf(100)).isEmpty();
        byte[] untagged = Fixtures.exchange().getFirst().data();
        assertThat(f.matchesInJava(untagged)).isFalse();
    }

    @Test
    void noFilterKeepsEverything() {
        assertThat(CaptureFilter.parse("  ")).isSameAs(CaptureFilter.ALL);
        assertThat(CaptureFilter.parse(List.of())).isSameAs(CaptureFilter.ALL);
        assertThat(CaptureFilter.ALL.bpf(10)).isEmpty();
        assertThat(CaptureFilter.ALL.matchesInJava(new byte[1])).isTrue();
    }

    @Test
    void badExpressionsSayWhatIsWrong() {
        assertThatThrownBy(() -> CaptureFilter.parse("tcp port http")).hasMessageContaining("not a port number")
                .hasMessageContaining("'http'");
        assertThatThrownBy(() -> CaptureFilter.parse("host example.com")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> CaptureFilter.parse("host 10.0.0.300")).hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> CaptureFilter.parse("port 70000")).hasMessageContaining("0..65535");
        assertThatThrownBy(() -> CaptureFilter.parse("(arp")).hasMessageContaining("expected ')'");
        assertThatThrownBy(() -> CaptureFilter.parse("arp icmp")).hasMessageContaining("at 'icmp'");
        assertThatThrownBy(() -> CaptureFilter.parse("greater 100")).hasMessageContaining("unknown filter primitive");
        assertThatThrownBy(() -> CaptureFilter.parse("net 10.0.0.0/40")).hasMessageContaining("above 32");
        assertThatThrownBy(() -> CaptureFilter.parse("ether host zz")).hasMessageContaining("not a MAC address");
        assertThatThrownBy(() -> CaptureFilter.parse("arp and")).hasMessageContaining("at the end");
        assertThatThrownBy(() -> CaptureFilter.parse("vlan 5000")).hasMessageContaining("above 4095");
    }
}
