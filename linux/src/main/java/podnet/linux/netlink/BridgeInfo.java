package podnet.linux.netlink;

import java.util.HexFormat;
import podnet.linux.netlink.nl.NlAttrs;

/** A bridge's settings (IFLA_BR_*): STP, VLAN filtering, ageing and its bridge id. */
public record BridgeInfo(boolean stp, boolean vlanFiltering, int ageingTimeCentis, String bridgeId) {
    static final int IFLA_BR_AGEING_TIME = 4, IFLA_BR_STP_STATE = 5, IFLA_BR_VLAN_FILTERING = 7,
            IFLA_BR_BRIDGE_ID = 11;

    static BridgeInfo parse(NlAttrs a) {
        byte[] id = a.bytes(IFLA_BR_BRIDGE_ID); // struct ifla_bridge_id { u8 prio[2]; u8 addr[6]; }
        String bridgeId = "";
        if (id != null && id.length == 8) {
            HexFormat hex = HexFormat.of();
            bridgeId = hex.formatHex(id, 0, 2) + "." + hex.formatHex(id, 2, 8);
        }
        Integer vf = a.u8(IFLA_BR_VLAN_FILTERING);
        return new BridgeInfo(a.u32(IFLA_BR_STP_STATE, 0) != 0, vf != null && vf != 0,
                a.u32(IFLA_BR_AGEING_TIME, 30000), bridgeId);
    }
}
