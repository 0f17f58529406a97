package podnet.linux.netlink;

import podnet.linux.netlink.nl.NlAttrs;

/**
 * A bridge port's settings (IFLA_BRPORT_*). {@code state} is the STP port state: 0 disabled,
 * 1 listening, 2 learning, 3 forwarding, 4 blocking.
 */
public record BridgePort(int state, boolean hairpin, boolean learning, boolean isolated,
        boolean unicastFlood) {
    public static final int STATE_DISABLED = 0, STATE_LISTENING = 1, STATE_LEARNING = 2,
            STATE_FORWARDING = 3, STATE_BLOCKING = 4;

    static final int IFLA_BRPORT_STATE = 1, IFLA_BRPORT_MODE = 4, IFLA_BRPORT_LEARNING = 8,
            IFLA_BRPORT_UNICAST_FLOOD = 9, IFLA_BRPORT_ISOLATED = 33;

    static BridgePort parse(NlAttrs a) {
        return new BridgePort(a.u8(IFLA_BRPORT_STATE) == null ? 0 : a.u8(IFLA_BRPORT_STATE),
                flag(a, IFLA_BRPORT_MODE, false), flag(a, IFLA_BRPORT_LEARNING, true),
                flag(a, IFLA_BRPORT_ISOLATED, false), flag(a, IFLA_BRPORT_UNICAST_FLOOD, true));
    }

    private static boolean flag(NlAttrs a, int type, boolean dflt) {
        Integer v = a.u8(type);
        return v == null ? dflt : v != 0;
    }

    public String stateName() {
        return switch (state) {
            case STATE_DISABLED -> "disabled";
            case STATE_LISTENING -> "listening";
            case STATE_LEARNING -> "learning";
            case STATE_FORWARDING -> "forwarding";
            case STATE_BLOCKING -> "blocking";
            default -> "state " + state;
        };
    }

    /** Changes to a port's flags; null leaves a flag as it is. */
    public record Change(Boolean hairpin, Boolean learning, Boolean isolated) {
        public static Change hairpin(boolean on) {
            return new Change(on, null, null);
        }
    }
}
