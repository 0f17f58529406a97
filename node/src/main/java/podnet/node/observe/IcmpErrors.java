package podnet.node.observe;

/** ICMP and ICMPv6 errors in words, e.g. "ICMP port unreachable". */
final class IcmpErrors {
    private IcmpErrors() {}

    static String describe(FrameHeaders h) {
        int t = h.icmpType(), c = h.icmpCode();
        if (h.key().protocol() == FlowKey.ICMP) {
            return switch (t) {
                case 3 -> "ICMP " + switch (c) {
                    case 0 -> "net unreachable";
                    case 1 -> "host unreachable";
                    case 2 -> "protocol unreachable";
                    case 3 -> "port unreachable";
                    case 4 -> "fragmentation needed";
                    case 9, 10, 13 -> "administratively prohibited";
                    default -> "unreachable (code " + c + ")";
                };
                case 11 -> "ICMP time exceeded";
                case 12 -> "ICMP parameter problem";
                default -> "ICMP type " + t;
            };
        }
        return switch (t) {
            case 1 -> "ICMPv6 " + switch (c) {
                case 0 -> "no route";
                case 1 -> "administratively prohibited";
                case 3 -> "address unreachable";
                case 4 -> "port unreachable";
                default -> "unreachable (code " + c + ")";
            };
            case 2 -> "ICMPv6 packet too big";
            case 3 -> "ICMPv6 time exceeded";
            case 4 -> "ICMPv6 parameter problem";
            default -> "ICMPv6 type " + t;
        };
    }
}
