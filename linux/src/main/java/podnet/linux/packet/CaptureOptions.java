package podnet.linux.packet;

/**
 * How a capture socket is set up: the snap length (bytes kept of each frame) and the TPACKET_V3
 * ring — {@code blockCount} blocks of {@code blockSize} bytes, each handed to us when full or
 * after {@code blockTimeoutMillis} (which bounds the delay before a quiet link's frames show).
 */
public record CaptureOptions(int snapLength, int blockSize, int blockCount, int blockTimeoutMillis) {
    public static final int PAGE = 4096;
    public static final int MAX_SNAP = 262144;
    /**
     * A block timeout for writing a file rather than showing frames live: each timeout wakes the
     * reader, and on this kind of machine a wake-up costs about 100 µs of CPU (as much as some
     * 500 frames), so a short timeout dominated the cost of a capture at a few 10k frames/s.
     * tcpdump -w uses 1000 ms; at stop, podnet waits for the block being filled (see
     * {@link Capture#record}), so a long timeout loses nothing.
     */
    public static final int RECORD_BLOCK_TIMEOUT_MILLIS = 100;

    public CaptureOptions {
        if (snapLength < 1 || snapLength > MAX_SNAP) {
            throw new IllegalArgumentException("snap length must be 1.." + MAX_SNAP + ", not " + snapLength);
        }
        if (blockSize < PAGE || blockSize % PAGE != 0 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("ring block size must be a power-of-two multiple of "
                    + PAGE + ", not " + blockSize);
        }
        if (blockCount < 1 || (long) blockSize * blockCount > (1L << 30)) {
            throw new IllegalArgumentException("ring of " + blockCount + " x " + blockSize
                    + " bytes is out of range (1 block .. 1 GiB)");
        }
        if (blockTimeoutMillis < 1 || blockTimeoutMillis > 60_000) {
            throw new IllegalArgumentException("block timeout must be 1..60000 ms, not " + blockTimeoutMillis);
        }
    }

    /** 8 MiB of ring in 1 MiB blocks, whole frames, frames shown within 20 ms. */
    public static CaptureOptions defaults() {
        return new CaptureOptions(MAX_SNAP, 1 << 20, 8, 20);
    }

    public CaptureOptions withSnapLength(int snap) {
        return new CaptureOptions(snap, blockSize, blockCount, blockTimeoutMillis);
    }

    public CaptureOptions withBlockTimeout(int millis) {
        return new CaptureOptions(snapLength, blockSize, blockCount, millis);
    }

    public CaptureOptions withRing(int size, int count) {
        return new CaptureOptions(snapLength, size, count, blockTimeoutMillis);
    }

    public long ringBytes() {
        return (long) blockSize * blockCount;
    }
}
