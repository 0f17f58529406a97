package podnet.linux.packet;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * Reads a mapped TPACKET_V3 receive ring: blocks that the kernel has handed to user space
 * (block_status has TP_STATUS_USER) are copied out, walked frame by frame, then given back. Layouts are
 * those of linux/if_packet.h (tpacket_block_desc, tpacket3_hdr, sockaddr_ll) on x86-64.
 */
final class PacketRing {
    static final int TP_STATUS_KERNEL = 0, TP_STATUS_USER = 1;
    static final int TP_STATUS_VLAN_VALID = 0x10, TP_STATUS_VLAN_TPID_VALID = 0x40;
    // tpacket_block_desc: version, offset_to_priv, then tpacket_hdr_v1.
    private static final int BLOCK_STATUS = 8, NUM_PKTS = 12, OFFSET_TO_FIRST_PKT = 16, BLOCK_LEN = 20;
    // tpacket3_hdr.
    static final int NEXT_OFFSET = 0, SEC = 4, NSEC = 8, SNAPLEN = 12, LEN = 16,
            STATUS = 20, MAC = 24, VLAN_TCI = 32, VLAN_TPID = 36;
    private static final int SOCKADDR_LL = 48; // TPACKET_ALIGN(sizeof(struct tpacket3_hdr))
    private static final VarHandle INT = JAVA_INT.varHandle();

    /** Receives frames; returns false to stop in the middle of a block. */
    interface Sink {
        boolean accept(CapturedPacket p);
    }

    private final MemorySegment ring;
    private final byte[] scratch;
    private final int blockSize;
    private final int blockCount;
    private final int snapLength;
    private int current;
    private int resumeAt; // frames of the current block already delivered (after a stop)

    PacketRing(MemorySegment ring, CaptureOptions options) {
        this.ring = ring;
        this.blockSize = options.blockSize();
        this.blockCount = options.blockCount();
        this.snapLength = options.snapLength();
        this.scratch = new byte[blockSize];
    }

    /** Whether the next block is ours to read. */
    boolean ready() {
        return ((int) INT.getAcquire(ring, (long) current * blockSize + BLOCK_STATUS) & TP_STATUS_USER) != 0;
    }

    /** Whether the block the kernel is filling (the next to read, not yet handed over) holds frames. */
    boolean openBlockHasFrames() {
        long base = (long) current * blockSize;
        return !ready() && ring.get(JAVA_INT, base + NUM_PKTS) > 0;
    }

    /**
     * Delivers the frames of every ready block in order; returns false if the sink asked to
     * stop (the rest of that block is kept for the next call).
     *
     * <p>Each block's used bytes are copied to the heap in one go and parsed there: one bulk
     * copy per block is much cheaper than a dozen segment reads per frame (notably under the
     * C1-only JIT the launcher uses for fast start-up).
     */
    boolean drain(Sink sink) {
        while (ready()) {
            long base = (long) current * blockSize;
            int used = ring.get(JAVA_INT, base + BLOCK_LEN);
            if (used <= 0 || used > blockSize) {
                used = blockSize; // not filled in (older kernels): take the whole block
            }
            MemorySegment.copy(ring, JAVA_BYTE, base, scratch, 0, used);
            int n = le32(scratch, NUM_PKTS);
            int off = le32(scratch, OFFSET_TO_FIRST_PKT);
            for (int i = 0; i < n && off >= 0 && off + SOCKADDR_LL + 12 <= used; i++) {
                int next = le32(scratch, off + NEXT_OFFSET);
                if (i >= resumeAt) {
                    resumeAt = i + 1;
                    CapturedPacket p = frame(off, used);
                    if (p != null && !sink.accept(p)) {
                        if (resumeAt == n) {
                            release(base);
                        }
                        return false;
                    }
                }
                off += next;
            }
            release(base);
        }
        return true;
    }

    /** Takes frames where they lie in the ring, without copying their bytes (see {@link PcapSpool}). */
    interface RawSink {
        /**
         * One frame. Its tpacket3_hdr is at {@code hdr} in {@code block}, a heap copy of the
         * block's used bytes (fields are read from there: cheap array reads, where a dozen
         * segment reads per frame would cost more than the rest); the block itself is at
         * native address {@code blockAddress}, where the frame's bytes stay valid until
         * {@link #flush}. Returns false to stop (the rest of the block stays for later).
         */
        boolean frame(byte[] block, int hdr, int used, long blockAddress);

        /** Done with every frame handed over: called before their block goes back to the kernel. */
        void flush();
    }

    /** {@link #drain} for a {@link RawSink}: no object and no copy of its bytes per frame. */
    boolean drainRaw(RawSink sink) {
        while (ready()) {
            long base = (long) current * blockSize;
            int used = ring.get(JAVA_INT, base + BLOCK_LEN);
            if (used <= 0 || used > blockSize) {
                used = blockSize;
            }
            MemorySegment.copy(ring, JAVA_BYTE, base, scratch, 0, used);
            int n = le32(scratch, NUM_PKTS);
            int off = le32(scratch, OFFSET_TO_FIRST_PKT);
            long address = ring.address() + base;
            for (int i = 0; i < n && off >= 0 && off + SOCKADDR_LL + 12 <= used; i++) {
                int next = le32(scratch, off + NEXT_OFFSET);
                if (i >= resumeAt) {
                    resumeAt = i + 1;
                    int snap = le32(scratch, off + SNAPLEN);
                    int mac = le16(scratch, off + MAC);
                    if (snap >= 0 && off + mac + snap <= used && !sink.frame(scratch, off, used, address)) {
                        sink.flush();
                        if (resumeAt == n) {
                            release(base);
                        }
                        return false;
                    }
                }
                off += next;
            }
            sink.flush();
            release(base);
        }
        return true;
    }

    /**
     * {@link #drain} for a {@link Capture.FrameVisitor}: the frame's fields and where its bytes lie
     * in the heap copy of its block, no object and no copy per frame. A VLAN tag the kernel took
     * out of the frame is not put back into the bytes, but counted in the wire length.
     */
    boolean drainFrames(Capture.FrameVisitor v) {
        byte[] b = scratch;
        while (ready()) {
            long base = (long) current * blockSize;
            int used = ring.get(JAVA_INT, base + BLOCK_LEN);
            if (used <= 0 || used > blockSize) {
                used = blockSize;
            }
            MemorySegment.copy(ring, JAVA_BYTE, base, b, 0, used);
            int n = le32(b, NUM_PKTS);
            int off = le32(b, OFFSET_TO_FIRST_PKT);
            for (int i = 0; i < n && off >= 0 && off + SOCKADDR_LL + 12 <= used; i++) {
                int next = le32(b, off + NEXT_OFFSET);
                if (i >= resumeAt) {
                    resumeAt = i + 1;
                    int snap = le32(b, off + SNAPLEN);
                    int mac = le16(b, off + MAC);
                    if (snap >= 0 && off + mac + snap <= used) {
                        int len = le32(b, off + LEN);
                        if ((le32(b, off + STATUS) & TP_STATUS_VLAN_VALID) != 0) {
                            len += 4;
                        }
                        long nanos = Integer.toUnsignedLong(le32(b, off + SEC)) * 1_000_000_000L
                                + Integer.toUnsignedLong(le32(b, off + NSEC));
                        int kept = Math.min(snap, snapLength);
                        if (!v.frame(b, off + mac, kept, Math.max(len, kept), nanos, le32(b, off + SOCKADDR_LL + 4),
                                PacketType.of(b[off + SOCKADDR_LL + 10] & 0xff))) {
                            if (resumeAt == n) {
                                release(base);
                            }
                            return false;
                        }
                    }
                }
                off += next;
            }
            release(base);
        }
        return true;
    }

    /** The frame whose header is at {@code hdr} of the block copy, as {@link #drain} delivers it (the VLAN tag put back). */
    CapturedPacket copy(int hdr, int used) {
        return frame(hdr, used);
    }

    // Written as two small calls so that C1 (the launcher's JIT for short commands) inlines them
    // both: a method of more than 35 bytecodes would stay a call, several per frame.
    static int le32(byte[] b, int off) {
        return le16(b, off) | le16(b, off + 2) << 16;
    }

    static int le16(byte[] b, int off) {
        return b[off] & 0xff | (b[off + 1] & 0xff) << 8;
    }

    private void release(long base) {
        INT.setRelease(ring, base + BLOCK_STATUS, TP_STATUS_KERNEL);
        current = (current + 1) % blockCount;
        resumeAt = 0;
    }

    /** The frame whose tpacket3_hdr is at {@code h} in the copied block (null if it does not fit). */
    private CapturedPacket frame(int h, int used) {
        byte[] b = scratch;
        long sec = Integer.toUnsignedLong(le32(b, h + SEC));
        long nsec = Integer.toUnsignedLong(le32(b, h + NSEC));
        int snap = le32(b, h + SNAPLEN);
        int len = le32(b, h + LEN);
        int status = le32(b, h + STATUS);
        int mac = le16(b, h + MAC);
        int ifindex = le32(b, h + SOCKADDR_LL + 4);
        PacketType type = PacketType.of(b[h + SOCKADDR_LL + 10] & 0xff);
        if (snap < 0 || h + mac + snap > used) {
            return null; // a header that points outside the block: never expected, never trusted
        }
        byte[] data;
        if ((status & TP_STATUS_VLAN_VALID) != 0 && snap >= 12) {
            // The kernel took the 802.1Q tag out of the frame; put it back after the two MACs.
            int tpid = (status & TP_STATUS_VLAN_TPID_VALID) != 0 ? le16(b, h + VLAN_TPID) : 0x8100;
            int tci = le32(b, h + VLAN_TCI) & 0xffff;
            int keep = Math.min(snap + 4, snapLength);
            data = new byte[keep];
            System.arraycopy(b, h + mac, data, 0, Math.min(12, keep));
            byte[] tag = {(byte) (tpid >> 8), (byte) tpid, (byte) (tci >> 8), (byte) tci};
            System.arraycopy(tag, 0, data, 12, Math.min(4, Math.max(0, keep - 12)));
            if (keep > 16) {
                System.arraycopy(b, h + mac + 12, data, 16, keep - 16);
            }
            len += 4;
        } else {
            data = new byte[Math.min(snap, snapLength)];
            System.arraycopy(b, h + mac, data, 0, data.length);
        }
        return new CapturedPacket(sec * 1_000_000_000L + nsec, ifindex, type, Math.max(len, data.length), data);
    }

}
