package podnet.linux.packet;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ring walk on hand-laid TPACKET_V3 blocks: order, hand-back, stop mid-block, VLAN. */
class PacketRingTest {
    static final int BLOCK = 4096;
    final Arena arena = Arena.ofAuto();
    final MemorySegment ring = arena.allocate(2L * BLOCK, 8);
    final CaptureOptions options = new CaptureOptions(262144, BLOCK, 2, 10);

    /** Lays frames (each {@code len} bytes of value {@code fill}) into block {@code b} and hands it over. */
    void block(int b, int status, int... fills) {
        long base = (long) b * BLOCK;
        ring.set(JAVA_INT, base + 12, fills.length);
        ring.set(JAVA_INT, base + 16, 48);
        long h = base + 48;
        for (int i = 0; i < fills.length; i++) {
            int len = 20;
            ring.set(JAVA_INT, h, i == fills.length - 1 ? 0 : 128);
            ring.set(JAVA_INT, h + 4, 1000 + fills[i]);
            ring.set(JAVA_INT, h + 8, 5);
            ring.set(JAVA_INT, h + 12, len);
            ring.set(JAVA_INT, h + 16, len + 100);
            ring.set(JAVA_INT, h + 20, status);
            ring.set(JAVA_SHORT, h + 24, (short) 80);
            ring.set(JAVA_INT, h + 32, 0x2007); // prio 1, VLAN 7 when TP_STATUS_VLAN_VALID
            ring.set(JAVA_INT, h + 48 + 4, 42);
            ring.set(JAVA_BYTE, h + 48 + 10, (byte) 4);
            for (int k = 0; k < len; k++) {
                ring.set(JAVA_BYTE, h + 80 + k, (byte) fills[i]);
            }
            h += 128;
        }
        ring.set(JAVA_INT, base + 20, useBlockLength ? (int) (h - base) : 0);
        ring.set(JAVA_INT, base + 8, PacketRing.TP_STATUS_USER);
    }

    boolean useBlockLength = true;

    @Test
    void walksReadyBlocksInOrderAndHandsThemBack() {
        PacketRing r = new PacketRing(ring, options);
        assertThat(r.ready()).isFalse();
        block(0, 1, 1, 2, 3);
        block(1, 1, 4);
        List<CapturedPacket> got = new ArrayList<>();
        assertThat(r.drain(got::add)).isTrue();
        assertThat(got).extracting(p -> (int) p.data()[0]).containsExactly(1, 2, 3, 4);
        assertThat(got.getFirst().timestampNanos()).isEqualTo(1001L * 1_000_000_000L + 5);
        assertThat(got.getFirst().wireLength()).isEqualTo(120);
        assertThat(got.getFirst().ifindex()).isEqualTo(42);
        assertThat(got.getFirst().type()).isEqualTo(PacketType.OUTGOING);
        assertThat(ring.get(JAVA_INT, 8)).isZero();
        assertThat(ring.get(JAVA_INT, BLOCK + 8)).isZero();
        block(0, 1, 5); // the walk wraps around to block 0
        got.clear();
        r.drain(got::add);
        assertThat(got).extracting(p -> (int) p.data()[0]).containsExactly(5);
    }

    @Test
    void aStopMidBlockResumesAtTheNextFrame() {
        PacketRing r = new PacketRing(ring, options);
        block(0, 1, 1, 2, 3);
        List<Integer> got = new ArrayList<>();
        assertThat(r.drain(p -> {
            got.add((int) p.data()[0]);
            return got.size() < 2;
        })).isFalse();
        assertThat(got).containsExactly(1, 2);
        assertThat(ring.get(JAVA_INT, 8)).as("block kept until read").isEqualTo(1);
        r.drain(p -> got.add((int) p.data()[0]));
        assertThat(got).containsExactly(1, 2, 3);
        assertThat(ring.get(JAVA_INT, 8)).isZero();
    }

    @Test
    void aStopOnTheLastFrameGivesTheBlockBack() {
        PacketRing r = new PacketRing(ring, options);
        block(0, 1, 1);
        assertThat(r.drain(p -> false)).isFalse();
        assertThat(ring.get(JAVA_INT, 8)).isZero();
        block(1, 1, 2);
        List<Integer> got = new ArrayList<>();
        r.drain(p -> got.add((int) p.data()[0]));
        assertThat(got).containsExactly(2);
    }

    @Test
    void theVlanTagIsPutBackAfterTheAddresses() {
        PacketRing r = new PacketRing(ring, options);
        block(0, 1 | PacketRing.TP_STATUS_VLAN_VALID, 9);
        List<CapturedPacket> got = new ArrayList<>();
        r.drain(got::add);
        byte[] d = got.getFirst().data();
        assertThat(d).hasSize(24);
        assertThat(d[11]).isEqualTo((byte) 9);
        assertThat(new byte[] {d[12], d[13], d[14], d[15]}).containsExactly(0x81, 0x00, 0x20, 0x07);
        assertThat(d[16]).isEqualTo((byte) 9);
        assertThat(got.getFirst().wireLength()).isEqualTo(124);
    }

    @Test
    void withoutABlockLengthTheWholeBlockIsRead() {
        useBlockLength = false;
        PacketRing r = new PacketRing(ring, options);
        block(0, 1, 1, 2);
        List<CapturedPacket> got = new ArrayList<>();
        r.drain(got::add);
        assertThat(got).extracting(p -> (int) p.data()[0]).containsExactly(1, 2);
    }

    @Test
    void aHeaderPointingOutsideTheBlockIsSkipped() {
        PacketRing r = new PacketRing(ring, options);
        block(0, 1, 1, 2);
        ring.set(JAVA_INT, 48 + 12, 1 << 20); // first frame claims a snap length past the block
        List<CapturedPacket> got = new ArrayList<>();
        r.drain(got::add);
        assertThat(got).extracting(p -> (int) p.data()[0]).containsExactly(2);
    }

    @Test
    void theSnapLengthCutsCopies() {
        PacketRing r = new PacketRing(ring, options.withSnapLength(8));
        block(0, 1, 3);
        List<CapturedPacket> got = new ArrayList<>();
        r.drain(got::add);
        assertThat(got.getFirst().data()).hasSize(8);
        assertThat(got.getFirst().wireLength()).isEqualTo(120);
    }

    record Seen(int first, int offset, int captured, int wire, long nanos, int ifindex, PacketType type) {}

    @Test
    void framesAreVisitedWhereTheyLieInTheBlockCopy() {
        PacketRing r = new PacketRing(ring, options.withSnapLength(8));
        block(0, 1, 1, 2);
        block(1, 1 | PacketRing.TP_STATUS_VLAN_VALID, 3);
        List<Seen> got = new ArrayList<>();
        assertThat(r.drainFrames((b, off, cap, wire, nanos, ifindex, type) ->
                got.add(new Seen(b[off], off, cap, wire, nanos, ifindex, type)))).isTrue();
        assertThat(got).containsExactly(
                new Seen(1, 48 + 80, 8, 120, 1001L * 1_000_000_000L + 5, 42, PacketType.OUTGOING),
                new Seen(2, 48 + 128 + 80, 8, 120, 1002L * 1_000_000_000L + 5, 42, PacketType.OUTGOING),
                new Seen(3, 48 + 80, 8, 124, 1003L * 1_000_000_000L + 5, 42, PacketType.OUTGOING)); // tag counted, not put back
        assertThat(ring.get(JAVA_INT, 8)).isZero();
        assertThat(ring.get(JAVA_INT, BLOCK + 8)).isZero();
    }

    @Test
    void aVisitorStopMidBlockResumesAtTheNextFrame() {
        PacketRing r = new PacketRing(ring, options);
        block(0, 1, 1, 2, 3);
        List<Integer> got = new ArrayList<>();
        assertThat(r.drainFrames((b, off, cap, wire, nanos, ifindex, type) -> {
            got.add((int) b[off]);
            return got.size() < 2;
        })).isFalse();
        assertThat(r.drainFrames((b, off, cap, wire, nanos, ifindex, type) -> got.add((int) b[off]))).isTrue();
        assertThat(got).containsExactly(1, 2, 3);
    }

    @Test
    void theOpenBlockIsSeenFillingBeforeItIsHandedOver() {
        PacketRing r = new PacketRing(ring, options);
        assertThat(r.openBlockHasFrames()).isFalse();
        ring.set(JAVA_INT, 12, 2); // the kernel counts frames into the block it fills
        assertThat(r.openBlockHasFrames()).isTrue();
        block(0, 1, 1, 2);
        assertThat(r.openBlockHasFrames()).as("handed over: ready, not open").isFalse();
    }
}
