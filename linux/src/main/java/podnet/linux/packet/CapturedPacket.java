package podnet.linux.packet;

import java.time.Instant;

/**
 * One captured frame: when the kernel saw it (nanoseconds since the epoch), on which interface,
 * which way, its length on the wire and the bytes captured (at most the snap length, so
 * {@code data.length <= wireLength}). An 802.1Q tag the kernel had moved out of the frame is put
 * back, as libpcap does, so the bytes are what crossed the wire.
 */
public record CapturedPacket(long timestampNanos, int ifindex, PacketType type, int wireLength, byte[] data) {
    public CapturedPacket {
        if (wireLength < data.length) {
            throw new IllegalArgumentException("wire length " + wireLength + " < captured " + data.length);
        }
    }

    public Instant timestamp() {
        return Instant.ofEpochSecond(timestampNanos / 1_000_000_000L, timestampNanos % 1_000_000_000L);
    }

    public int capturedLength() {
        return data.length;
    }

    public boolean isTruncated() {
        return data.length < wireLength;
    }
}
