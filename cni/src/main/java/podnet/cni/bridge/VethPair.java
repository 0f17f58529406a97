package podnet.cni.bridge;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import podnet.cni.spec.CniError;
import podnet.cni.spec.Sandbox;
import podnet.linux.netlink.Link;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Errno;

/** The attachment's veth: made in the pod as CNI_IFNAME, its peer in the node as {@code veth%08x}. */
final class VethPair {
    private VethPair() {}

    /** The host veth's name's form: "veth" + 8 hex digits, like the reference. */
    static final String HOST_PREFIX = "veth";
    private static final int[] OPER_UP_WAIT_MS = {0, 1, 1, 2, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 1000};

    /** CNI_IFNAME must be free in the pod: checked before anything is created. */
    static void requireFree(NetlinkHandle cont, String ifName) {
        if (cont.links().get(ifName).isPresent()) {
            throw new CniError(CniError.INTERNAL, "container veth name provided (" + ifName + ") already exists");
        }
    }

    /** Creates the pair (undone on a failed ADD); returns the host end's name. */
    static String create(NetlinkHandle host, NetlinkHandle cont, String ifName, BridgeConf conf, Undo undo) {
        requireFree(cont, ifName);
        Netns hostNs = Netns.ofPath(Sandbox.SELF); // opened on this thread: the caller's netns
        for (int attempt = 0; ; attempt++) {
            String hostName = HOST_PREFIX + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            try {
                cont.links().addVeth(ifName, hostName, hostNs, conf.mtu());
            } catch (NetlinkException e) {
                if (e.is(Errno.EEXIST) && attempt < 10 && cont.links().get(ifName).isEmpty()) {
                    continue; // the random host name was taken
                }
                throw e;
            }
            undo.push("delete veth " + ifName, () -> {
                if (!cont.links().deleteIfExists(ifName)) {
                    host.links().deleteIfExists(hostName);
                }
            });
            if (conf.mac() != null) {
                cont.links().setMac(ifName, conf.mac());
            }
            return hostName;
        }
    }

    /** Waits for the host end to be operationally up, backing off from 0 ms to 1 s. */
    static void waitOperUp(NetlinkHandle host, String hostVeth) {
        Link l = null;
        for (int ms : OPER_UP_WAIT_MS) {
            Pause.ms(ms);
            l = host.links().require(hostVeth);
            if (l.operState() == Link.OPER_UP) {
                return;
            }
        }
        throw new CniError(CniError.INTERNAL, "bridge port " + hostVeth + " in error state: " + l.operStateName());
    }
}
