package podnet.linux.packet;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A TPACKET_V3 ring in plain memory, laid out as the kernel lays out its blocks, full of one
 * small UDP frame: what a warm-up drives the ring's reading paths over, so that the JIT has
 * compiled them before the first busy block comes (a JVM that meets a flood cold interprets,
 * then compiles, for seconds; see {@link Capture#warmUp}). Not thread-safe; close frees it.
 */
final class SyntheticRing implements AutoCloseable {
    static final int BLOCK = 1 << 16, BLOCKS = 2;
    private static final int FIRST = 48, SLOT = 144, MAC = 82;
    /** Ethernet + IPv4 + UDP, 60 bytes: 10.250.0.1:40000 → 10.250.0.2:5201. */
    private static final byte[] FRAME = frame();

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment ring = arena.allocate((long) BLOCK * BLOCKS, 4096);
    private final PacketRing reader;
    private final int frames;

    /** Two blocks of {@code frames} frames each (at most 455 fit). */
    SyntheticRing(int snapLength, int frames) {
        if (frames < 1 || FIRST + (long) frames * SLOT > BLOCK) {
            throw new IllegalArgumentException("1.." + (BLOCK - FIRST) / SLOT + " frames per block, not " + frames);
        }
        this.frames = frames;
        reader = new PacketRing(ring, new CaptureOptions(snapLength, BLOCK, BLOCKS, 20));
        for (int b = 0; b < BLOCKS; b++) {
            long base = (long) b * BLOCK;
            ring.set(JAVA_INT, base + 12, frames);
            ring.set(JAVA_INT, base + 16, FIRST);
            long h = base + FIRST;
            for (int i = 0; i < frames; i++) {
                ring.set(JAVA_INT, h, i == frames - 1 ? 0 : SLOT);
                ring.set(JAVA_INT, h + PacketRing.SEC, 1_700_000_000 + i);
                ring.set(JAVA_INT, h + PacketRing.NSEC, 1000 * i);
                ring.set(JAVA_INT, h + PacketRing.SNAPLEN, Math.min(FRAME.length, snapLength));
                ring.set(JAVA_INT, h + PacketRing.LEN, FRAME.length);
                ring.set(JAVA_SHORT, h + PacketRing.MAC, (short) MAC);
                ring.set(JAVA_INT, h + 48 + 4, 2); // sockaddr_ll: ifindex, then pkttype (outgoing)
                ring.set(JAVA_BYTE, h + 48 + 10, (byte) 4);
                MemorySegment.copy(FRAME, 0, ring, JAVA_BYTE, h + MAC, FRAME.length);
                h += SLOT;
            }
            ring.set(JAVA_INT, base + 20, (int) (h - base));
        }
    }

    /** Frames in each pass over the ring. */
    int frames() {
        return BLOCKS * frames;
    }

    /** The ring's memory (for a second reader over the same blocks). */
    MemorySegment segment() {
        return ring;
    }

    PacketRing reader() {
        return reader;
    }

    /** Hands every block over again, as the kernel would once it filled them. */
    void refill() {
        for (int b = 0; b < BLOCKS; b++) {
            ring.set(JAVA_INT, (long) b * BLOCK + 8, PacketRing.TP_STATUS_USER);
        }
    }

    private static byte[] frame() {
        byte[] f = new byte[60];
        byte[] head = {
            2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0, // Ethernet, IPv4
            0x45, 0, 0, 46, 0, 1, 0, 0, 64, 17, 0, 0, 10, (byte) 250, 0, 1, 10, (byte) 250, 0, 2, // IPv4, UDP
            (byte) 0x9c, 0x40, 0x14, 0x51, 0, 26, 0, 0}; // UDP 40000 → 5201, 18 bytes of payload
        System.arraycopy(head, 0, f, 0, head.length);
        return f;
    }

    @Override
    public void close() {
        arena.close();
    }
}
