package podnet.linux.netlink;

import java.net.InetAddress;
import podnet.linux.inet.MacAddress;

/** An ARP/NDP table entry (RTM_NEWNEIGH, AF_INET/AF_INET6). {@code mac} is null while incomplete. */
public record Neighbour(int index, InetAddress ip, MacAddress mac, int state, int flags) {
    public static final int NUD_INCOMPLETE = 0x01, NUD_REACHABLE = 0x02, NUD_STALE = 0x04,
            NUD_DELAY = 0x08, NUD_PROBE = 0x10, NUD_FAILED = 0x20, NUD_NOARP = 0x40,
            NUD_PERMANENT = 0x80;

    /** The state as {@code ip neigh} prints it. */
    public String stateName() {
        return stateName(state);
    }

    static String stateName(int state) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "NOARP", "PERMANENT"};
        for (int i = 0; i < names.length; i++) {
            if ((state & (1 << i)) != 0) {
                sb.append(sb.isEmpty() ? "" : ",").append(names[i]);
            }
        }
        return sb.isEmpty() ? "NONE" : sb.toString();
    }
}
