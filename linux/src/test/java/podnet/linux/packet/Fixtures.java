package podnet.linux.packet;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import podnet.linux.packet.pcap.PcapReader;

/**
 * The recorded exchange (ARP, ping, ping6 with neighbour discovery, MLD, router solicitation,
 * TCP, UDP, ICMP port unreachable, RST) from {@code record-fixtures.sh}, and tcpdump's reading
 * of it ({@code tcpdump -n -S -t -r exchange.pcap}).
 */
public final class Fixtures {
    private Fixtures() {}

    public static List<CapturedPacket> exchange() {
        return PcapReader.read(bytes("/packet/exchange.pcap"));
    }

    public static List<String> exchangeLines() {
        return new String(bytes("/packet/exchange.txt"), StandardCharsets.UTF_8).lines().toList();
    }

    /** VXLAN on 8472 and 4789 with ARP, ICMP, ICMPv6 and TCP inside, from {@code record-vxlan.sh}. */
    public static List<CapturedPacket> vxlan() {
        return PcapReader.read(bytes("/packet/vxlan.pcap"));
    }

    /** tcpdump's reading of it: two lines a packet, the outer header and the inner frame. */
    public static List<String> vxlanLines() {
        return new String(bytes("/packet/vxlan.txt"), StandardCharsets.UTF_8).lines().toList();
    }

    static byte[] bytes(String resource) {
        try (InputStream in = Fixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
