package podnet.linux.packet;

/**
 * Which way a captured frame went, from the kernel's {@code sll_pkttype}: frames this host sent
 * are {@link #OUTGOING}; the others were received, addressed to this host, to everyone, to a
 * group, or to another host (seen because of promiscuous mode or a bridge port).
 */
public enum PacketType {
    HOST("In"), BROADCAST("B"), MULTICAST("M"), OTHERHOST("P"), OUTGOING("Out"), UNKNOWN("?");

    private final String label;

    PacketType(String label) {
        this.label = label;
    }

    /** The kernel's PACKET_* number (linux/if_packet.h) as an enum. */
    public static PacketType of(int pkttype) {
        return switch (pkttype) {
            case 0 -> HOST;
            case 1 -> BROADCAST;
            case 2 -> MULTICAST;
            case 3 -> OTHERHOST;
            case 4 -> OUTGOING;
            default -> UNKNOWN;
        };
    }

    public boolean isOutgoing() {
        return this == OUTGOING;
    }

    /** tcpdump's {@code -i any} direction marker: In, Out, B, M, P. */
    public String label() {
        return label;
    }
}
