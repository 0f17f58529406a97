package podnet.linux.conntrack;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * One IPv4 connection the kernel tracks, by its original direction: who opened it to whom,
 * protocol and ports (0 for protocols without ports). {@code tuple} is the kernel's own encoding
 * of the original tuple, sent back as-is to delete exactly this entry.
 */
public record ConntrackEntry(int protocol, InetAddress source, InetAddress destination, int sourcePort,
        int destinationPort, int id, int zone, byte[] tuple) {

    public ConntrackEntry {
        tuple = tuple.clone();
    }

    @Override
    public byte[] tuple() {
        return tuple.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConntrackEntry e && protocol == e.protocol && source.equals(e.source)
                && destination.equals(e.destination) && sourcePort == e.sourcePort
                && destinationPort == e.destinationPort && id == e.id && zone == e.zone && Arrays.equals(tuple, e.tuple);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(tuple) * 31 + id;
    }

    /** Like conntrack -L: {@code tcp 10.244.2.3:40000 -> 10.244.2.4:80}. */
    @Override
    public String toString() {
        String p = protocol == 6 ? "tcp" : protocol == 17 ? "udp" : protocol == 1 ? "icmp" : "proto " + protocol;
        return p + " " + source.getHostAddress() + (sourcePort != 0 ? ":" + sourcePort : "") + " -> "
                + destination.getHostAddress() + (destinationPort != 0 ? ":" + destinationPort : "");
    }
}
