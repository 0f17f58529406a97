package podnet.cni.bridge;

import java.util.Optional;
import podnet.cni.spec.CniError;
import podnet.linux.netlink.InetConf;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.Links;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;
import podnet.linux.sysctl.Sysctl;

/** The node's bridge: created if missing, checked, brought up; and a host veth made its port. */
final class HostBridge {
    private HostBridge() {}

    /**
     * The bridge, up and configured as {@code conf} says; created when missing, and then
     * deleted again by {@code undo} unless another attachment's port is on it by then.
     */
    static Link ensure(NetlinkHandle host, BridgeConf conf, Undo undo) {
        Optional<Link> existing = host.links().get(conf.bridge());
        Link br;
        boolean changed = existing.isEmpty();
        if (existing.isPresent()) {
            br = existing.get();
        } else {
            try {
                br = host.links().addBridge(conf.bridge(), conf.mtu(), conf.vlanFiltering());
                String name = br.name();
                undo.push("delete bridge " + name, () -> deleteIfNoPorts(host, name));
            } catch (NetlinkException e) {
                if (e.is(Errno.EOPNOTSUPP) && conf.vlanFiltering()) {
                    throw noVlanFiltering(e);
                }
                if (!e.is(Errno.EEXIST)) {
                    throw e;
                }
                br = host.links().require(conf.bridge()); // another ADD created it meanwhile
            }
        }
        if (!br.isBridge()) {
            throw CniError.config("\"" + conf.bridge() + "\" already exists but is not a bridge");
        }
        if (conf.promiscMode() && !br.isPromisc()) {
            host.links().setPromisc(br.name(), true);
            changed = true;
        }
        if (conf.vlanFiltering() && (br.bridge() == null || !br.bridge().vlanFiltering())) {
            try {
                host.links().setBridgeVlanFiltering(br.name(), true);
            } catch (NetlinkException e) {
                throw e.is(Errno.EOPNOTSUPP) ? noVlanFiltering(e) : e;
            }
            changed = true;
        }
        acceptRaOff(br);
        if (!br.isUp()) {
            host.links().setUp(br.name());
            changed = true;
        }
        // The common ADD finds the bridge as it should be: one GETLINK, no second look.
        return changed ? host.links().require(br.name()) : br;
    }

    /** The bridge's name must be free or a bridge's: checked before anything is created. */
    static void requireBridgeOrFree(NetlinkHandle host, BridgeConf conf) {
        Optional<Link> l = host.links().get(conf.bridge());
        if (l.isPresent() && !l.get().isBridge()) {
            throw CniError.config("\"" + conf.bridge() + "\" already exists but is not a bridge");
        }
    }

    /** Whether any link other than {@code except} is a port of the bridge. */
    static boolean hasPorts(NetlinkHandle host, String bridge, String except) {
        Optional<Link> br = host.links().get(bridge);
        if (br.isEmpty()) {
            return false;
        }
        for (Link l : host.links().list()) {
            if (l.masterIndex() == br.get().index() && !l.name().equals(except)) {
                return true;
            }
        }
        return false;
    }

    private static void deleteIfNoPorts(NetlinkHandle host, String bridge) {
        if (!hasPorts(host, bridge, null)) {
            host.links().deleteIfExists(bridge);
        }
    }

    /**
     * The rest of making the host veth a port, after {@link VethPair#create} made it one (up,
     * master, hairpin, isolation): accept_ra off, and the VLANs.
     */
    static void plug(NetlinkHandle host, Link hostLink, BridgeConf conf) {
        String hostVeth = hostLink.name();
        acceptRaOff(hostLink);
        if (conf.vlan() != 0) {
            host.links().bridgeVlanAdd(hostVeth, conf.vlan(), Links.BRIDGE_VLAN_INFO_PVID | Links.BRIDGE_VLAN_INFO_UNTAGGED);
        }
        for (int vid : conf.vlanTrunk()) {
            host.links().bridgeVlanAdd(hostVeth, vid, 0);
        }
        if (conf.vlanFiltering() && !conf.preserveDefaultVlan()) {
            try {
                host.links().bridgeVlanDel(hostVeth, 1);
            } catch (NetlinkException e) {
                if (!e.is(Errno.ENOENT) && !e.is(Errno.EINVAL)) {
                    throw e;
                }
            }
        }
    }

    private static CniError noVlanFiltering(NetlinkException e) {
        return new CniError(CniError.UNSUPPORTED_FIELD, "\"vlan\"/\"vlanTrunk\": this kernel's bridge has no VLAN filtering"
                + " (CONFIG_BRIDGE_VLAN_FILTERING): " + e.getMessage(), null, e);
    }

    /**
     * accept_ra 0 on a link of the node, as the reference writes it on the bridge and the host
     * veth: skipped when the link's devconf (in the RTM_NEWLINK we have) already says 0, written
     * without a read when it says otherwise; only a link without IPv6 devconf is read first.
     * Best effort: IPv6 may be disabled on the node, and the reference ignores that too.
     */
    static void acceptRaOff(Link l) {
        try {
            Sysctl.ensure(Netns.CURRENT, Sysctl.conf("ipv6", l.name(), "accept_ra"), "0",
                    l.inet().ipv6(InetConf.IPV6_ACCEPT_RA));
        } catch (RuntimeException e) {
            // IPv6 may be disabled on the node: the reference ignores this too
        }
    }
}
