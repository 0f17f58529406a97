package podnet.linux.packet;

/**
 * The kernel's counters for a capture socket (PACKET_STATISTICS), summed since it was opened:
 * frames that passed the filter, and those dropped because the ring was full.
 */
/** {@code received} counts every frame that passed the filter, the dropped ones included. */
public record PacketStats(long received, long dropped) {
    public PacketStats plus(PacketStats o) {
        return new PacketStats(received + o.received, dropped + o.dropped);
    }
}
