package podnet.linux.netlink;

import podnet.linux.inet.MacAddress;

/**
 * A bridge forwarding-database entry: {@code mac} was learned on (or belongs to) port
 * {@code portIndex} of bridge {@code masterIndex}. {@code local} entries are the bridge's own
 * ports' addresses; {@code ageingCentis} is the time since it was last seen (learned entries).
 */
public record FdbEntry(int portIndex, int masterIndex, MacAddress mac, int vlan, int state,
        int flags, boolean local, long ageingCentis) {
    public static final int NTF_SELF = 0x02, NTF_MASTER = 0x04;
}
