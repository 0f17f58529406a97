package podnet.node.cluster;

import java.io.PrintStream;
import java.net.InetAddress;
import java.util.Optional;
import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Route;
import podnet.linux.netlink.Vxlan;
import podnet.linux.sys.Errno;
import podnet.linux.sys.Sockets;

/**
 * flannel's vxlan backend: device {@code flannel.<VNI>} (UDP 8472, learning off, the underlay
 * address as source, MTU underlay − 50, {@code subnet.0/32}); per peer a permanent neighbour,
 * an FDB entry and an onlink route. An existing compatible device is kept as it is — with its
 * MAC, so peers' entries stay right across restarts; an incompatible one is made anew.
 */
final class VxlanBackend implements Backend {
    private final NetlinkHandle h;
    private final Underlay underlay;
    private final int vni;
    private final int port;
    private final MacAddress preferredMac;
    private final PrintStream log;
    private final String name;
    private boolean created;
    private Link device;

    VxlanBackend(NetlinkHandle h, Underlay underlay, int vni, int port, MacAddress preferredMac, PrintStream log) {
        this.h = h;
        this.underlay = underlay;
        this.vni = vni;
        this.port = port;
        this.preferredMac = preferredMac;
        this.log = log;
        this.name = "flannel." + vni;
    }

    @Override
    public BackendType type() {
        return BackendType.VXLAN;
    }

    @Override
    public int mtu() {
        return underlay.mtu() - Vxlan.OVERHEAD_V4;
    }

    @Override
    public MacAddress vtepMac() {
        return device.mac();
    }

    @Override
    public int vni() {
        return vni;
    }

    @Override
    public int routeLink() {
        return device.index();
    }

    @Override
    public int tunnelLink() {
        return device.index();
    }

    String deviceName() {
        return name;
    }

    @Override
    public void setUp() {
        Vxlan want = new Vxlan(vni, port, underlay.index(), underlay.address(), false);
        Optional<Link> existing = h.links().get(name);
        if (existing.isPresent()) {
            Optional<Vxlan> have = h.links().vxlan(name);
            if (have.isPresent() && have.get().equals(want)) {
                device = existing.get();
                if (device.mtu() != mtu()) {
                    h.links().setMtu(name, mtu());
                }
                bringUp();
                device = h.links().require(name);
                return;
            }
            log.println("podnet node: " + name + " exists with other settings (" + have.map(Object::toString).orElse("not vxlan")
                    + "); making it anew");
            h.links().delete(name);
        }
        MacAddress mac = preferredMac != null ? preferredMac : MacAddress.randomLocal();
        try {
            h.links().addVxlan(name, want, mtu(), mac);
        } catch (NetlinkException e) {
            if (e.is(Errno.EOPNOTSUPP) || (e.getMessage() != null && e.getMessage().contains("Unknown device type"))) {
                throw new ClusterException("this kernel has no VXLAN support (" + e.getMessage() + ")",
                        "use --backend host-gw when every node is on one L2 segment", e);
            }
            if (e.is(Errno.EEXIST)) {
                throw new ClusterException("cannot create " + name + ": " + e.getMessage()
                        + " (another VXLAN device with VNI " + vni + " and port " + port + "?)",
                        "look with `ip -d link show type vxlan` and remove it", e);
            }
            throw e;
        }
        created = true;
        try {
            bringUp();
        } catch (RuntimeException e) {
            h.links().deleteIfExists(name);
            created = false;
            throw e;
        }
        device = h.links().require(name);
    }

    private void bringUp() {
        try {
            h.links().setUp(name);
        } catch (NetlinkException e) {
            if (e.is(Errno.EADDRINUSE)) {
                throw new ClusterException("UDP port " + port + " is in use in " + where()
                        + ": another VXLAN device or a socket there holds it (" + e.getMessage() + ")",
                        "find it with `ip -d link show type vxlan` or `ss -ulpn 'sport = :" + port + "'`", e);
            }
            throw e;
        }
    }

    private String where() {
        return h.netns().isCurrent() ? "this network namespace" : "netns " + h.netns().label();
    }

    @Override
    public void undoSetUp() {
        if (created) {
            h.links().deleteIfExists(name);
            created = false;
        }
    }

    @Override
    public void configure(Cidr subnet) {
        Cidr want = new Cidr(subnet.address(), 32);
        boolean present = false;
        for (Address a : h.addresses().list(name, Sockets.AF_INET)) {
            if (a.cidr().equals(want)) {
                present = true;
            } else {
                h.addresses().delete(name, a.cidr()); // a subnet this node held before
            }
        }
        if (!present) {
            h.addresses().add(name, want);
        }
    }

    @Override
    public PeerEntries entries(Lease peer) {
        if (peer.vtepMac() == null) {
            throw new ClusterException("peer " + peer.subnet() + " at " + Cidr.text(peer.publicIp())
                    + " published no VtepMAC", "is it running flannel's vxlan backend?");
        }
        if (peer.vni() != vni) {
            throw new ClusterException("peer " + peer.subnet() + " uses VNI " + peer.vni() + ", this node " + vni,
                    "every node must use the same VNI");
        }
        InetAddress gw = peer.subnet().address();
        return new PeerEntries(peer.subnet(), gw, peer.vtepMac(), peer.publicIp(),
                Route.onlink(peer.subnet(), gw, device.index()));
    }

    @Override
    public void tearDown() {
        h.links().deleteIfExists(name);
    }
}
