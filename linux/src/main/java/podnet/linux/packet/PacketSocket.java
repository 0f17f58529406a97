package podnet.linux.packet;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import podnet.linux.ns.Netns;
import podnet.linux.packet.filter.BpfInstruction;
import podnet.linux.packet.filter.BpfProgram;
import podnet.linux.sys.FileDescriptor;
import podnet.linux.sys.Sockets;
import podnet.linux.sys.ffm.MappedMemory;
import podnet.linux.sys.ffm.SocketCalls;

/**
 * An AF_PACKET raw socket: the descriptor-level calls (filter, TPACKET_V3 ring, bind to one
 * interface, statistics). {@link Capture} drives it.
 *
 * <p>The socket is created with protocol 0, so it receives nothing until {@link #bind}: frames of
 * other interfaces, or frames the filter would reject, can never slip in while it is set up.
 */
public final class PacketSocket implements AutoCloseable {
    static final int SOL_PACKET = 263;
    static final int PACKET_ADD_MEMBERSHIP = 1, PACKET_MR_PROMISC = 1;
    static final int PACKET_RX_RING = 5, PACKET_STATISTICS = 6, PACKET_VERSION = 10;
    static final int TPACKET_V3 = 2;
    static final int ETH_P_ALL = 0x0003;
    static final int SO_ERROR = 4;

    private final FileDescriptor fd;

    private PacketSocket(int fd) {
        this.fd = FileDescriptor.adopt(fd);
    }

    /** A raw packet socket created inside {@code netns} (it stays there for its lifetime). */
    public static PacketSocket open(Netns netns) {
        int fd = netns.call(() -> SocketCalls.socket(Sockets.AF_PACKET, Sockets.SOCK_RAW, 0));
        return new PacketSocket(fd);
    }

    public int fd() {
        return fd.fd();
    }

    /** Attaches a classic BPF program (SO_ATTACH_FILTER); the kernel validates it. */
    public void attachFilter(BpfProgram program) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = arena.allocate(8L * program.size(), 8);
            long off = 0;
            for (BpfInstruction i : program.instructions()) {
                insns.set(JAVA_SHORT, off, (short) i.code());
                insns.set(JAVA_BYTE, off + 2, (byte) i.jt());
                insns.set(JAVA_BYTE, off + 3, (byte) i.jf());
                insns.set(JAVA_INT, off + 4, i.k());
                off += 8;
            }
            MemorySegment fprog = arena.allocate(16, 8); // struct sock_fprog { u16 len; sock_filter *filter; }
            fprog.set(JAVA_SHORT, 0, (short) program.size());
            fprog.set(ADDRESS, 8, insns);
            SocketCalls.setsockopt(fd(), Sockets.SOL_SOCKET, Sockets.SO_ATTACH_FILTER, fprog);
        }
    }

    /** Switches to TPACKET_V3 and maps a receive ring shaped by {@code options}. */
    public MappedMemory mapRing(CaptureOptions options) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment version = arena.allocate(JAVA_INT);
            version.set(JAVA_INT, 0, TPACKET_V3);
            SocketCalls.setsockopt(fd(), SOL_PACKET, PACKET_VERSION, version);
            int frameSize = 2048; // only a unit of account in V3: frames are packed in the blocks
            MemorySegment req = arena.allocate(7 * 4, 4); // struct tpacket_req3
            req.set(JAVA_INT, 0, options.blockSize());
            req.set(JAVA_INT, 4, options.blockCount());
            req.set(JAVA_INT, 8, frameSize);
            req.set(JAVA_INT, 12, (int) (options.ringBytes() / frameSize));
            req.set(JAVA_INT, 16, options.blockTimeoutMillis());
            req.set(JAVA_INT, 20, 0); // no per-block private area
            req.set(JAVA_INT, 24, 0); // no rx hash
            SocketCalls.setsockopt(fd(), SOL_PACKET, PACKET_RX_RING, req);
        }
        return MappedMemory.map(fd(), options.ringBytes(),
                MappedMemory.PROT_READ | MappedMemory.PROT_WRITE, MappedMemory.MAP_SHARED);
    }

    /** Binds to all protocols on interface {@code ifindex}; frames start arriving now. */
    public void bind(int ifindex) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sll = arena.allocate(20, 4); // struct sockaddr_ll
            sll.set(JAVA_SHORT, 0, (short) Sockets.AF_PACKET);
            sll.set(JAVA_SHORT, 2, Short.reverseBytes((short) ETH_P_ALL));
            sll.set(JAVA_INT, 4, ifindex);
            SocketCalls.bind(fd(), sll);
        }
    }

    /** Sends one whole Ethernet frame out of the interface this socket is bound to. */
    public void send(byte[] frame) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Math.max(1, frame.length));
            MemorySegment.copy(frame, 0, buf, JAVA_BYTE, 0, frame.length);
            SocketCalls.sendto(fd(), buf, frame.length, 0, MemorySegment.NULL);
        }
    }

    /** The counters since the last call (the kernel resets them on every read). */
    /**
     * Promiscuous mode for as long as this socket lives (PACKET_MR_PROMISC membership, which the
     * kernel drops on close). On a bridge it is what makes frames forwarded between two ports
     * visible on the bridge device too, as with {@code tcpdump -i cni0}.
     */
    public void promiscuous(int ifindex) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment mreq = a.allocate(16, 4); // struct packet_mreq
            mreq.set(JAVA_INT, 0, ifindex);
            mreq.set(JAVA_SHORT, 4, (short) PACKET_MR_PROMISC);
            SocketCalls.setsockopt(fd(), SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq);
        }
    }

    public PacketStats takeStats() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(12, 4); // struct tpacket_stats_v3
            SocketCalls.getsockopt(fd(), SOL_PACKET, PACKET_STATISTICS, st, arena.allocate(JAVA_INT));
            return new PacketStats(Integer.toUnsignedLong(st.get(JAVA_INT, 0)),
                    Integer.toUnsignedLong(st.get(JAVA_INT, 4)));
        }
    }

    /** Reads and clears the pending socket error (SO_ERROR); 0 if none. */
    public int takeError() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            SocketCalls.getsockopt(fd(), Sockets.SOL_SOCKET, SO_ERROR, v, arena.allocate(JAVA_INT));
            return v.get(JAVA_INT, 0);
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
