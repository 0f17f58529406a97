package podnet.linux.packet.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static podnet.linux.packet.FrameBuilder.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.packet.CapturedPacket;
import podnet.linux.packet.Oracle;
import podnet.linux.packet.PacketType;
import podnet.linux.packet.pcap.PcapWriter;
import podnet.linux.testing.Root;

/** Hand-made frames of the kinds a short capture may not show, printed as tcpdump prints them. */
class SyntheticFramesTest {
    @TempDir
    Path dir;

    static List<byte[]> frames() {
        byte[] zero = new byte[6];
        byte[] quotedUdp = ipv4("10.0.0.1", "10.0.0.9", 17, udp(40000, 7777, new byte[4]));
        byte[] quotedTcp = ipv4("10.0.0.1", "10.0.0.9", 6, tcp(40000, 8080, 1, 0, 0x02, 1000, new byte[0], new byte[0]));
        byte[] quoted6 = ipv6("fd00::1", "fd00::2", 17, udp(40000, 7777, new byte[3]));
        byte[] sack = cat(new byte[] {1, 1, 5, 18}, u32(1000), u32(2000), u32(3000), u32(4000));
        return List.of(
                ether(BROADCAST, MAC_A, 0x0806, arp(1, MAC_A, "10.0.0.1", zero, "10.0.0.1")),
                ether(BROADCAST, MAC_A, 0x0806, arp(1, MAC_A, "10.0.0.1", MAC_B, "10.0.0.2")),
                ether(MAC_B, MAC_A, 0x0806, arp(2, MAC_A, "10.0.0.1", MAC_B, "10.0.0.2")),
                ether(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.1", "10.0.0.2", 1, icmp(8, 0, 7, 9, new byte[56]))),
                ether(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.2", "10.0.0.1", 1, icmp(3, 3, 0, 0, quotedUdp))),
                ether(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.2", "10.0.0.1", 1, icmp(3, 3, 0, 0, quotedTcp))),
                ether(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.2", "10.0.0.1", 1, icmp(3, 1, 0, 0, quotedUdp))),
                ether(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.2", "10.0.0.1", 1, icmp(3, 0, 0, 0, quotedUdp))),
                ether(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.2", "10.0.0.1", 1, icmp(11, 0, 0, 0, quotedUdp))),
                ether(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.1", "10.0.0.2", 17, udp(40000, 7777, new byte[100]))),
                ether(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.1", "10.0.0.2", 6,
                        tcp(40000, 7777, 100, 200, 0x10, 500, sack, new byte[0]))),
                ether(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.1", "10.0.0.2", 6,
                        tcp(40000, 7777, 100, 200, 0x18 | 0x20, 500, new byte[0], new byte[10]))),
                ether(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.1", "10.0.0.2", 6,
                        tcp(40000, 7777, 100, 0, 0x04, 0, new byte[0], new byte[0]))),
                ether(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.1", "10.0.0.2", 6,
                        tcp(40000, 7777, 100, 0, 0, 0, new byte[0], new byte[0]))),
                ether(MAC_B, MAC_A, 0x86dd, ipv6("fd00::1", "fd00::2", 17, udp(40000, 7777, new byte[3]))),
                ether(MAC_B, MAC_A, 0x86dd, ipv6("fd00::1", "fd00::2", 6,
                        tcp(40000, 7777, 1, 0, 0x02, 64800, new byte[] {2, 4, 5, (byte) 0xa0}, new byte[0]))),
                ether(MAC_B, MAC_A, 0x86dd, ipv6("fd00::1", "fd00::2", 58, icmp(128, 0, 3, 4, new byte[8]))),
                ether(MAC_B, MAC_A, 0x86dd, ipv6("fd00::2", "fd00::1", 58, icmp(1, 4, 0, 0, quoted6))),
                ether(MAC_B, MAC_A, 0x86dd, ipv6("fd00::2", "fd00::1", 58, icmp(1, 3, 0, 0, quoted6))),
                ether(MAC_B, MAC_A, 0x86dd, ipv6("fd00::2", "fd00::1", 58, icmp(2, 0, 0, 1280, quoted6))),
                ether(MAC_B, MAC_A, 0x86dd, ipv6("fd00::2", "fd00::1", 58, icmp(3, 0, 0, 0, quoted6))),
                ether(MAC_B, MAC_A, 0x86dd, ipv6("fd00::2", "fd00::1", 58, icmp(137, 0, 0, 0,
                        cat(ip("fd00::3"), ip("fd00::4"))))),
                ether(MAC_B, MAC_A, 0x86dd, ipv6("fe80::1", "ff02::1", 58, icmp(134, 0, 0x4000, 1800, new byte[8]))),
                ether(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.1", "10.0.0.2", 99, new byte[7])),
                ether(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.1", "10.0.0.2", 17, 0x2000, udp(5, 6, new byte[40]))),
                ether(MAC_B, MAC_A, 0x0800, ipv4("10.0.0.1", "10.0.0.2", 17, 6, new byte[20])),
                ether(MAC_B, MAC_A, 0x86dd, ipv6("fd00::1", "fd00::2", 99, new byte[5])),
                ether(MAC_B, MAC_A, 0x88b5, new byte[30]),
                ether(MAC_B, MAC_A, 0x8100, vlan(0x2005, 0x0800, ipv4("10.0.0.1", "10.0.0.2", 17, udp(1234, 4321, new byte[1])))),
                ether(MAC_B, MAC_A, 0x88a8, vlan(100, 0x8100, vlan(7, 0x0806, arp(1, MAC_A, "10.0.0.1", zero, "10.0.0.2")))));
    }

    @Test
    void printedLikeTcpdump() {
        Root.assumeProgram("tcpdump");
        Path file = dir.resolve("synthetic.pcap");
        List<String> ours = new ArrayList<>();
        try (PcapWriter w = PcapWriter.create(file, 65535)) {
            long t = 1_000_000_000L;
            for (byte[] f : frames()) {
                w.write(new CapturedPacket(t++, 0, PacketType.UNKNOWN, f.length, f));
                ours.add(Summary.of(f, f.length));
            }
        }
        // Unknown EtherTypes: tcpdump follows the line with a hex dump, which we leave out.
        List<String> tcpdump = Oracle.tcpdump(file).stream().filter(l -> !l.startsWith("\t"))
                .map(l -> l.replaceAll(": $", "")).toList();
        assertThat(ours).containsExactlyElementsOf(tcpdump);
    }
}
