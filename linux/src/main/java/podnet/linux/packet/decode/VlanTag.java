package podnet.linux.packet.decode;

/** An 802.1Q (or 802.1ad) tag: TPID, priority, drop-eligible bit and VLAN id. */
public record VlanTag(int tpid, int priority, boolean dropEligible, int vlanId) {}
