package podnet.linux.packet;

import java.util.HashMap;
import java.util.Map;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;

/**
 * Interface names by index in one namespace, for captures on {@link Capture#ANY}: read once,
 * and read again when a frame names an index not seen before (links come and go).
 */
public final class InterfaceNames {
    private final Netns netns;
    private final Map<Integer, String> names = new HashMap<>();

    public InterfaceNames(Netns netns) {
        this.netns = netns;
        refresh();
    }

    public String of(int ifindex) {
        String n = names.get(ifindex);
        if (n == null) {
            refresh();
            n = names.getOrDefault(ifindex, "#" + ifindex);
        }
        return n;
    }

    private void refresh() {
        try (NetlinkHandle h = NetlinkHandle.open(netns)) {
            for (Link l : h.links().list()) {
                names.put(l.index(), l.name());
            }
        }
    }
}
