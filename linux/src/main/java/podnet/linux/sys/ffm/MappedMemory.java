package podnet.linux.sys.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import podnet.linux.sys.SysException;

/**
 * A shared mapping of a descriptor made with mmap(2) (e.g. an AF_PACKET ring), unmapped by
 * {@link #close()}. Closing twice is harmless; the segment must not be used afterwards.
 */
public final class MappedMemory implements AutoCloseable {
    public static final int PROT_READ = 1, PROT_WRITE = 2;
    public static final int MAP_SHARED = 1, MAP_LOCKED = 0x2000, MAP_POPULATE = 0x8000;

    private static final class Mmap {
        static final MethodHandle H = Libc.downcall("mmap", FunctionDescriptor.of(ADDRESS,
                ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    }

    private static final class Munmap {
        static final MethodHandle H = Libc.downcall("munmap",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private final MemorySegment segment;
    private volatile boolean closed;

    private MappedMemory(MemorySegment segment) {
        this.segment = segment;
    }

    /** mmap(NULL, length, prot, flags, fd, 0). */
    public static MappedMemory map(int fd, long length, int prot, int flags) {
        MemorySegment st = Libc.errnoState();
        try {
            MemorySegment p = (MemorySegment) Mmap.H.invokeExact(st, MemorySegment.NULL, length,
                    prot, flags, fd, 0L);
            if (p.address() == -1L) { // MAP_FAILED
                throw new SysException("mmap", Libc.errno(st));
            }
            return new MappedMemory(p.reinterpret(length));
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public MemorySegment segment() {
        if (closed) {
            throw new IllegalStateException("mapping is closed");
        }
        return segment;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            int ignored = (int) Munmap.H.invokeExact(Libc.errnoState(), segment, segment.byteSize());
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
