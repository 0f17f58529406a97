package podnet.linux.packet.decode;

import java.net.Inet6Address;
import java.util.List;

/**
 * An IPv6 header, the extension headers walked over (their numbers, e.g. 0 for hop-by-hop), the
 * final protocol and what it carries.
 */
public record Ipv6Packet(Inet6Address source, Inet6Address destination, int payloadLength, int hopLimit,
        List<Integer> extensionHeaders, int protocol, TransportLayer payload) implements NetworkLayer {
    public static final int HOP_BY_HOP = 0, ROUTING = 43, FRAGMENT = 44, DEST_OPTIONS = 60, NO_NEXT = 59;

    public Ipv6Packet {
        extensionHeaders = List.copyOf(extensionHeaders);
    }
}
