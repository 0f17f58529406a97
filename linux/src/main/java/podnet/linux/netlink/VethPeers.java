package podnet.linux.netlink;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;

/**
 * Finds the other end of a veth: its ifindex comes from IFLA_LINK, and its namespace from
 * IFLA_LINK_NETNSID, matched against the ids this namespace has for the named namespaces and
 * for init's (like {@code ethtool -S peer_ifindex} plus {@code ip netns identify}).
 */
public final class VethPeers {
    private VethPeers() {}

    /**
     * The peer's index, name and namespace ({@code netns} is null if no name leads there;
     * {@code sameNetns} when it sits beside the link, then {@code netns} is the handle's).
     */
    public record Peer(int index, String name, Netns netns, boolean sameNetns) {
        /** Like ip's {@code eth0@if7}: the peer's name, and where it lives unless beside us. */
        public String label() {
            String where = sameNetns ? "" : netns == null ? "?" : netns.label();
            return (name == null ? "if" + index : name) + (where.isEmpty() ? "" : "@" + where);
        }
    }

    public static Optional<Peer> of(NetlinkHandle handle, Link link) {
        if (!link.isVeth() || link.linkIndex() == 0) {
            return Optional.empty();
        }
        if (link.linkNetnsId() == null) {
            String name = handle.links().get(link.linkIndex()).map(Link::name).orElse(null);
            return Optional.of(new Peer(link.linkIndex(), name, handle.netns(), true));
        }
        for (Netns candidate : candidates()) {
            int id;
            try {
                id = handle.nsIds().get(candidate);
            } catch (RuntimeException e) {
                continue; // a stale name under /run/netns
            }
            if (id == link.linkNetnsId()) {
                try (NetlinkHandle there = NetlinkHandle.open(candidate)) {
                    String name = there.links().get(link.linkIndex()).map(Link::name).orElse(null);
                    return Optional.of(new Peer(link.linkIndex(), name, candidate, false));
                }
            }
        }
        return Optional.of(new Peer(link.linkIndex(), null, null, false));
    }

    private static List<Netns> candidates() {
        List<Netns> out = new ArrayList<>();
        for (String n : NamedNetns.list()) {
            out.add(Netns.named(n));
        }
        out.add(new Netns("host", Path.of("/proc/1/ns/net")));
        return out;
    }
}
