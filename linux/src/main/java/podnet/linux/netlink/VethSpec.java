package podnet.linux.netlink;

import podnet.linux.inet.MacAddress;
import podnet.linux.ns.Netns;

/**
 * A veth pair to create in one request (see {@link RtBatch#addVeth}): {@code name} in the
 * namespace of the handle that creates it, {@code peerName} born directly in {@code peerNetns}
 * (so it never appears here). {@code up} brings {@code name} up at once and {@code masterIndex}
 * (0: none) makes it a port of that bridge at once; {@code peerMac} (null: the kernel's random
 * one) is the peer's address; {@code mtu} 0 keeps the default for both ends.
 */
public record VethSpec(String name, String peerName, Netns peerNetns, int mtu, boolean up, int masterIndex,
        MacAddress peerMac) {
    public VethSpec {
        Links.checkName(name);
        Links.checkName(peerName);
    }
}
