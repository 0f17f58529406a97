package podnet.cni.bridge;

import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import podnet.cni.spec.CniError;
import podnet.linux.netlink.BridgePort;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.RtBatch;
import podnet.linux.netlink.VethSpec;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;

/**
 * The attachment's veth: CNI_IFNAME in the pod, its peer {@code veth%08x} in the node, made
 * from the node's side in one round trip: the pair with the pod end born in the pod's netns
 * and the host end up and a port of the bridge, plus the port's hairpin/isolation flags.
 */
final class VethPair {
    private VethPair() {}

    /** The host veth's name's form: "veth" + 8 hex digits, like the reference. */
    static final String HOST_PREFIX = "veth";
    private static final int[] OPER_UP_WAIT_MICROS = {0, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000,
            100_000, 200_000, 500_000, 1_000_000, 1_000_000};

    /**
     * Creates the pair (undone on a failed ADD); returns the host end as the kernel echoed it,
     * whose {@link Link#linkIndex} is the pod end's index in the pod. A CNI_IFNAME already in
     * the pod is refused by the kernel itself, atomically, before anything is made.
     */
    static Link create(NetlinkHandle host, Netns container, String ifName, Link br, BridgeConf conf, Undo undo) {
        for (int attempt = 0; ; attempt++) {
            String hostName = HOST_PREFIX + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            RtBatch b = host.batch().addVeth(new VethSpec(hostName, ifName, container, conf.mtu(), true, br.index(), conf.mac()));
            if (conf.hairpinMode() || conf.portIsolation()) {
                b.setBridgePort(hostName, new BridgePort.Change(conf.hairpinMode() ? true : null, null,
                        conf.portIsolation() ? true : null));
            }
            Link created;
            try {
                created = b.send().getFirst();
            } catch (NetlinkException e) {
                if (b.failedStep() == 0 && e.is(Errno.EEXIST)) {
                    if (nameTaken(container, ifName)) {
                        throw new CniError(CniError.INTERNAL, "container veth name provided (" + ifName + ") already exists");
                    }
                    if (attempt < 10) {
                        continue; // the random host name was taken
                    }
                }
                if (b.failedStep() > 0) {
                    host.links().deleteIfExists(hostName); // the pair was made; its port settings were refused
                }
                throw e;
            }
            undo.push("delete veth " + hostName, () -> host.links().deleteIfExists(hostName));
            return created;
        }
    }

    private static boolean nameTaken(Netns container, String ifName) {
        return container.call(() -> {
            try (NetlinkHandle cont = NetlinkHandle.openHere(container)) {
                return cont.links().get(ifName).isPresent();
            }
        });
    }

    /**
     * The host end and the bridge as they are now, waiting first (backing off from 0 to 1 s)
     * for the host end to be operationally up when {@code waitUp}: one round trip per look.
     * The bridge is looked at too because its MAC may have changed with its new port.
     */
    static List<Link> settled(NetlinkHandle host, int hostIndex, int bridgeIndex, boolean waitUp) {
        List<Link> now = null;
        for (int us : OPER_UP_WAIT_MICROS) {
            Pause.micros(us);
            now = host.batch().getLink(hostIndex).getLink(bridgeIndex).send();
            if (!waitUp || now.getFirst().operState() == Link.OPER_UP) {
                return now;
            }
        }
        Link l = now.getFirst();
        throw new CniError(CniError.INTERNAL, "bridge port " + l.name() + " in error state: " + l.operStateName());
    }
}
