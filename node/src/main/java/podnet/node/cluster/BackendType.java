package podnet.node.cluster;

import java.util.Locale;

/** How packets reach another node's pods: flannel's backend names. */
public enum BackendType {
    /** Encapsulated in UDP 8472 through {@code flannel.1}: works across routed underlays. */
    VXLAN("vxlan"),
    /** Routed to the peer's underlay address directly: every node on one L2 segment. */
    HOST_GW("host-gw");

    private final String flannelName;

    BackendType(String flannelName) {
        this.flannelName = flannelName;
    }

    /** The name in flannel's config and leases ({@code "vxlan"}, {@code "host-gw"}). */
    public String flannelName() {
        return flannelName;
    }

    public static BackendType parse(String name) {
        for (BackendType t : values()) {
            if (t.flannelName.equals(name.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown backend \"" + name + "\": vxlan or host-gw");
    }

    @Override
    public String toString() {
        return flannelName;
    }
}
