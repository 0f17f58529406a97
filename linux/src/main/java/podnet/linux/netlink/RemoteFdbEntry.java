package podnet.linux.netlink;

import java.net.InetAddress;
import podnet.linux.inet.MacAddress;

/**
 * A tunnel device's own forwarding entry (VXLAN, {@code bridge fdb ... dev flannel.1 dst IP
 * self}): frames for {@code mac} are encapsulated towards {@code dst}. A null {@code mac} never
 * occurs; {@code 00:00:00:00:00:00} is the default destination for unknown ones.
 */
public record RemoteFdbEntry(int index, MacAddress mac, InetAddress dst, int state, int flags) {
    public boolean isPermanent() {
        return (state & Neighbour.NUD_PERMANENT) != 0;
    }
}
