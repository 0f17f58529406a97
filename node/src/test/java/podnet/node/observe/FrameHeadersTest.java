package podnet.node.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static podnet.linux.packet.FrameBuilder.*;

import org.junit.jupiter.api.Test;
import podnet.linux.inet.Cidr;

class FrameHeadersTest {
    private static FrameHeaders parse(byte[] frame) {
        return FrameHeaders.parse(frame, frame.length);
    }

    @Test
    void bothWaysOfATcpConnectionAreOneFlow() {
        FrameHeaders syn = parse(ether(MAC_B, MAC_A, 0x0800, ipv4("10.244.2.9", "10.244.2.3", 6,
                tcp(40000, 80, 1, 0, TcpFlags.SYN, 64240, new byte[0], new byte[0]))));
        FrameHeaders synAck = parse(ether(MAC_A, MAC_B, 0x0800, ipv4("10.244.2.3", "10.244.2.9", 6,
                tcp(80, 40000, 7, 2, TcpFlags.SYN | TcpFlags.ACK, 64240, new byte[0], new byte[0]))));
        assertThat(syn.key()).isEqualTo(synAck.key());
        assertThat(syn.fromA()).isNotEqualTo(synAck.fromA());
        assertThat(syn.tcpFlags()).isEqualTo(TcpFlags.SYN);
        assertThat(synAck.tcpFlags()).isEqualTo(TcpFlags.SYN | TcpFlags.ACK);
        assertThat(Cidr.text(syn.key().a())).isEqualTo("10.244.2.3"); // the smaller end is A
        assertThat(syn.key().aPort()).isEqualTo(80);
        assertThat(syn.key().protocolName()).isEqualTo("tcp");
        assertThat(syn.etherType()).isEqualTo(0x0800);
        assertThat(syn.length()).isEqualTo(54);
    }

    @Test
    void icmpEchoIsKeyedByItsIdAndVlanTagsAreSkipped() {
        byte[] req = ipv4("10.244.2.2", "10.244.2.3", 1, icmp(8, 0, 77, 1, new byte[56]));
        byte[] rep = ipv4("10.244.2.3", "10.244.2.2", 1, icmp(0, 0, 77, 1, new byte[56]));
        FrameHeaders a = parse(ether(MAC_B, MAC_A, 0x8100, vlan(5, 0x0800, req)));
        FrameHeaders b = parse(ether(MAC_A, MAC_B, 0x0800, rep));
        assertThat(a.key()).isEqualTo(b.key());
        assertThat(a.key().aPort()).isEqualTo(77).isEqualTo(a.key().bPort());
        assertThat(a.icmpType()).isEqualTo(8);
        FrameHeaders other = parse(ether(MAC_B, MAC_A, 0x0800, ipv4("10.244.2.2", "10.244.2.3", 1, icmp(8, 0, 78, 1, new byte[8]))));
        assertThat(other.key()).isNotEqualTo(a.key()); // another ping session
    }

    @Test
    void anIcmpErrorNamesTheFlowItQuotes() {
        byte[] udp = ipv4("10.244.2.2", "10.244.2.3", 17, udp(5353, 9999, new byte[4]));
        FrameHeaders datagram = parse(ether(MAC_B, MAC_A, 0x0800, udp));
        byte[] quote = java.util.Arrays.copyOf(udp, 28);
        FrameHeaders unreachable = parse(ether(MAC_A, MAC_B, 0x0800, ipv4("10.244.2.3", "10.244.2.2", 1, icmp(3, 3, 0, 0, quote))));
        assertThat(unreachable.quoted()).isEqualTo(datagram.key());
        assertThat(unreachable.quotedFromA()).isEqualTo(datagram.fromA());
        assertThat(IcmpErrors.describe(unreachable)).isEqualTo("ICMP port unreachable");
    }

    @Test
    void arpRequestAndReplyShareAFlow() {
        FrameHeaders req = parse(ether(BROADCAST, MAC_A, 0x0806, arp(1, MAC_A, "10.244.2.2", new byte[6], "10.244.2.3")));
        FrameHeaders rep = parse(ether(MAC_A, MAC_B, 0x0806, arp(2, MAC_B, "10.244.2.3", MAC_A, "10.244.2.2")));
        assertThat(req.key()).isEqualTo(rep.key());
        assertThat(req.arpRequest()).isTrue();
        assertThat(rep.arpRequest()).isFalse();
        assertThat(req.key().protocolName()).isEqualTo("arp");
        assertThat(req.etherType()).isEqualTo(0x0806);
    }

    @Test
    void ipv6TcpAndNeighbourSolicitation() {
        FrameHeaders t = parse(ether(MAC_B, MAC_A, 0x86dd, ipv6("fd00::2", "fd00::3", 6,
                tcp(1234, 443, 1, 0, TcpFlags.SYN, 100, new byte[0], new byte[0]))));
        assertThat(t.key().family()).isEqualTo(6);
        assertThat(Cidr.text(t.key().a())).isEqualTo("fd00::2");
        assertThat(t.key().bPort()).isEqualTo(443);
        FrameHeaders ns = parse(ether(MAC_B, MAC_A, 0x86dd, ipv6("fd00::2", "ff02::1:ff00:3", 58,
                cat(new byte[] {(byte) 135, 0, 0, 0, 0, 0, 0, 0}, ip("fd00::3")))));
        assertThat(ns.arpRequest()).isTrue();
        assertThat(ns.key().protocolName()).isEqualTo("icmp6");
    }

    @Test
    void otherFramesAndShortOnesAreNotFlows() {
        assertThat(parse(new byte[10])).isNull();
        assertThat(parse(ether(BROADCAST, MAC_A, 0x88cc, new byte[30]))).isNull(); // LLDP
        assertThat(parse(ether(MAC_B, MAC_A, 0x0800, new byte[8]))).isNull();
        FrameHeaders cut = FrameHeaders.parse(java.util.Arrays.copyOf(ether(MAC_B, MAC_A, 0x0800,
                ipv4("10.0.0.1", "10.0.0.2", 6, tcp(1, 2, 0, 0, 2, 0, new byte[0], new byte[0]))), 36), 60);
        assertThat(cut.key().aPort()).isZero(); // ports cut off: still a flow of the two addresses
        assertThat(cut.length()).isEqualTo(60);
    }
}
