package podnet.linux.netlink;

import java.nio.ByteBuffer;

/** The counters of struct rtnl_link_stats64 that people look at. */
public record LinkStats(long rxPackets, long txPackets, long rxBytes, long txBytes,
        long rxErrors, long txErrors, long rxDropped, long txDropped) {
    public static final LinkStats ZERO = new LinkStats(0, 0, 0, 0, 0, 0, 0, 0);

    static LinkStats parse(ByteBuffer b) {
        if (b == null || b.remaining() < 64) {
            return ZERO;
        }
        // u64 fields at 4-aligned offsets: ByteBuffer.getLong does not care about alignment.
        return new LinkStats(b.getLong(0), b.getLong(8), b.getLong(16), b.getLong(24),
                b.getLong(32), b.getLong(40), b.getLong(48), b.getLong(56));
    }
}
