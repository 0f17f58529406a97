package podnet.linux.packet;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import podnet.linux.packet.pcap.PcapWriter;
import podnet.linux.sys.Errno;
import podnet.linux.sys.FileDescriptor;
import podnet.linux.sys.ffm.Libc;
import podnet.linux.sys.SysException;

/**
 * Writes captured frames to a classic pcap file straight from the ring: a frame's 16-byte
 * record header is the ring's own (tp_sec, tp_nsec, tp_snaplen, tp_len), and one writev(2)
 * takes headers and frame bytes where they lie, up to 512 frames a call, before their block
 * goes back to the kernel.
 * No copy in this process and no object per frame: what keeps {@code capture -w} near
 * tcpdump's CPU per frame on a flood of small frames, and ahead of it on large ones, where a
 * copy per frame is most of the work. Frames whose VLAN tag the kernel took out are copied
 * and rebuilt (the slow path of {@link PacketRing#copy}). The same file format as
 * {@link PcapWriter}.
 */
final class PcapSpool implements PacketRing.RawSink, AutoCloseable {
    private static final int IOV_MAX = 1024, FRAMES_PER_CALL = IOV_MAX / 2, RECORD_HEADER = 16;

    private static final class H {
        static final MethodHandle WRITEV = Libc.downcall("writev",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private final FileDescriptor fd;
    private final PacketRing reader;
    private final int snapLength;
    private final long limit;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment iov;
    private final MemorySegment headers;
    private final MemorySegment slow;
    private final MemorySegment single;
    private final byte[] headerBuf = new byte[RECORD_HEADER * FRAMES_PER_CALL];
    private final long[] iovBuf = new long[2 * IOV_MAX];
    private int pending;
    private long pendingBytes;
    private boolean truncated; // some pending record headers are in headerBuf
    private long frames;

    private PcapSpool(FileDescriptor fd, PacketRing reader, int snapLength, long limit) {
        this.fd = fd;
        this.reader = reader;
        this.snapLength = snapLength;
        this.limit = limit;
        this.iov = arena.allocate(16L * IOV_MAX, 8);
        this.headers = arena.allocate((long) RECORD_HEADER * FRAMES_PER_CALL, 8);
        this.slow = arena.allocate(RECORD_HEADER + CaptureOptions.MAX_SNAP + 4, 8);
        this.single = arena.allocate(16, 8);
    }

    /** Creates (or truncates) {@code file} and writes the pcap file header; at most {@code limit} frames. */
    static PcapSpool create(Path file, PacketRing reader, int snapLength, long limit) {
        FileDescriptor fd = FileDescriptor.open(file, FileDescriptor.O_WRONLY | FileDescriptor.O_CREAT
                | FileDescriptor.O_TRUNC, 0644);
        PcapSpool s = new PcapSpool(fd, reader, snapLength, limit);
        try {
            byte[] h = PcapWriter.fileHeader(snapLength);
            MemorySegment.copy(h, 0, s.slow, JAVA_BYTE, 0, h.length);
            s.writeFully(s.slow, h.length);
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    long frames() {
        return frames;
    }

    @Override
    public boolean frame(byte[] b, int hdr, int used, long blockAddress) {
        if (frames >= limit) {
            return false;
        }
        int status = PacketRing.le32(b, hdr + PacketRing.STATUS);
        int snap = PacketRing.le32(b, hdr + PacketRing.SNAPLEN);
        if ((status & PacketRing.TP_STATUS_VLAN_VALID) != 0) {
            flush();
            writeCopy(reader.copy(hdr, used));
        } else {
            int v = 4 * pending;
            if (snap <= snapLength) {
                // tp_sec, tp_nsec, tp_snaplen, tp_len lie in this order in the ring: they are the
                // frame's pcap record header as it is, so nothing is built or copied here.
                iovBuf[v] = blockAddress + hdr + PacketRing.SEC;
            } else {
                snap = snapLength; // the kernel kept more than asked (no filter to cut it): cut here
                int h = RECORD_HEADER * pending;
                put32(headerBuf, h, PacketRing.le32(b, hdr + PacketRing.SEC));
                put32(headerBuf, h + 4, PacketRing.le32(b, hdr + PacketRing.NSEC));
                put32(headerBuf, h + 8, snap);
                put32(headerBuf, h + 12, Math.max(PacketRing.le32(b, hdr + PacketRing.LEN), snap));
                iovBuf[v] = headers.address() + h;
                truncated = true;
            }
            iovBuf[v + 1] = RECORD_HEADER;
            iovBuf[v + 2] = blockAddress + hdr + PacketRing.le16(b, hdr + PacketRing.MAC);
            iovBuf[v + 3] = snap;
            pendingBytes += RECORD_HEADER + snap;
            if (++pending == FRAMES_PER_CALL) {
                flush();
            }
        }
        return ++frames < limit;
    }

    private static void put32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    @Override
    public void flush() {
        if (pending == 0) {
            return;
        }
        int cnt = 2 * pending;
        if (truncated) {
            MemorySegment.copy(headerBuf, 0, headers, JAVA_BYTE, 0, RECORD_HEADER * pending);
            truncated = false;
        }
        MemorySegment.copy(iovBuf, 0, iov, JAVA_LONG, 0, 2 * cnt);
        long total = pendingBytes;
        pending = 0;
        pendingBytes = 0;
        writev(iov, cnt, total);
    }

    /** writev until all {@code total} bytes are out (a regular file takes all at once; a pipe may not). */
    private void writev(MemorySegment vec, int cnt, long total) {
        MemorySegment st = Libc.errnoState();
        long first = 0; // index of the first iovec not fully written
        while (total > 0) {
            long n;
            try {
                n = (long) H.WRITEV.invokeExact(st, fd.fd(), vec.asSlice(16 * first), (int) (cnt - first));
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            }
            if (n < 0) {
                if (Libc.errno(st) == Errno.EINTR) {
                    continue;
                }
                throw new SysException("writev to the capture file", Libc.errno(st));
            }
            total -= n;
            if (total == 0) {
                return; // all of it (a regular file takes all at once): no need to find where it stopped
            }
            while (n > 0) {
                long len = vec.get(JAVA_LONG, 16 * first + 8);
                if (n >= len) {
                    n -= len;
                    first++;
                } else {
                    vec.set(JAVA_LONG, 16 * first, vec.get(JAVA_LONG, 16 * first) + n);
                    vec.set(JAVA_LONG, 16 * first + 8, len - n);
                    n = 0;
                }
            }
        }
    }

    private void writeCopy(CapturedPacket p) {
        if (p == null) {
            return;
        }
        int incl = Math.min(p.data().length, snapLength);
        slow.set(JAVA_INT, 0, (int) (p.timestampNanos() / 1_000_000_000L));
        slow.set(JAVA_INT, 4, (int) (p.timestampNanos() % 1_000_000_000L));
        slow.set(JAVA_INT, 8, incl);
        slow.set(JAVA_INT, 12, p.wireLength());
        MemorySegment.copy(p.data(), 0, slow, JAVA_BYTE, RECORD_HEADER, incl);
        writeFully(slow, RECORD_HEADER + incl);
    }

    private void writeFully(MemorySegment buf, long len) {
        single.set(JAVA_LONG, 0, buf.address());
        single.set(JAVA_LONG, 8, len);
        writev(single, 1, len);
    }

    @Override
    public void close() {
        try {
            flush();
        } finally {
            fd.close();
            arena.close();
        }
    }
}
