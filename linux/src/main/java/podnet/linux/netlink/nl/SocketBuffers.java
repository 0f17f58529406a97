package podnet.linux.netlink.nl;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import podnet.linux.sys.Sockets;

/**
 * A netlink socket's off-heap buffers, pooled. Closing a shared arena makes the JVM handshake
 * with every Java thread, so it waits for the slowest one to be scheduled: measured here, 0.06 ms
 * in an idle JVM but 9 ms (p50) to 180 ms (p99) beside 4 busy threads and 330-670 ms beside 16,
 * which podnetd paid several times per call under load. These buffers come from automatic
 * arenas (the GC frees one once nothing reaches it, with no handshake), and a closed socket's
 * buffers serve the next socket, up to {@link #MAX_POOLED} sets.
 */
final class SocketBuffers {
    static final int MAX_POOLED = 64;
    private static final ConcurrentLinkedQueue<SocketBuffers> POOL = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger POOLED = new AtomicInteger();

    final MemorySegment recv;
    /** sockaddr_nl of the kernel: port id 0. */
    final MemorySegment kernelAddr;
    private MemorySegment send;

    private SocketBuffers(int recvSize) {
        Arena a = Arena.ofAuto();
        recv = a.allocate(recvSize, 8);
        send = a.allocate(4096, 8);
        kernelAddr = a.allocate(12, 4);
        kernelAddr.set(JAVA_SHORT, 0, (short) Sockets.AF_NETLINK);
    }

    /** A set with a receive buffer of {@code recvSize} bytes: a pooled one, else a new one. */
    static SocketBuffers take(int recvSize) {
        SocketBuffers b = POOL.poll();
        if (b == null) {
            return new SocketBuffers(recvSize);
        }
        POOLED.decrementAndGet();
        return b.recv.byteSize() == recvSize ? b : new SocketBuffers(recvSize);
    }

    /** A send buffer of at least {@code n} bytes (grown, never shrunk). */
    MemorySegment send(int n) {
        if (send.byteSize() < n) {
            send = Arena.ofAuto().allocate(Math.max(n, send.byteSize() * 2), 8);
        }
        return send;
    }

    /** Back to the pool, for a socket closed with no call of its own in flight; else left to the GC. */
    void release() {
        if (POOLED.incrementAndGet() <= MAX_POOLED) {
            POOL.add(this);
        } else {
            POOLED.decrementAndGet();
        }
    }

    static int pooled() {
        return POOLED.get();
    }
}
