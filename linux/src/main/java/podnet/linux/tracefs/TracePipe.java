package podnet.linux.tracefs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;
import podnet.linux.sys.FileDescriptor;
import podnet.linux.sys.Poll;

/**
 * An instance's {@code trace_pipe}, opened non-blocking so a reader can wait with a timeout and
 * look at its stop flag (a blocking read of trace_pipe cannot be interrupted). Reads consume
 * events; lines are handed over whole.
 */
public final class TracePipe implements AutoCloseable {
    private static final int BUFFER = 64 * 1024;

    private final FileDescriptor fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(BUFFER);
    private final byte[] heap = new byte[BUFFER];
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private volatile boolean closed;

    private TracePipe(FileDescriptor fd) {
        this.fd = fd;
    }

    static TracePipe open(Path path) {
        return new TracePipe(FileDescriptor.open(path, FileDescriptor.O_RDONLY | FileDescriptor.O_NONBLOCK, 0));
    }

    /**
     * Waits up to {@code timeoutMillis} for events, then hands every complete line read to
     * {@code line}; returns the number of lines (0 on timeout).
     */
    public synchronized int read(int timeoutMillis, Consumer<String> line) {
        if (closed) {
            return 0;
        }
        int revents = Poll.poll(fd.fd(), Poll.POLLIN, timeoutMillis);
        if ((revents & Poll.POLLIN) == 0) {
            return 0;
        }
        int lines = 0;
        int n;
        while ((n = fd.read(buffer)) > 0) {
            MemorySegment.copy(buffer, JAVA_BYTE, 0, heap, 0, n);
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (heap[i] == '\n') {
                    partial.write(heap, start, i - start);
                    line.accept(partial.toString(StandardCharsets.UTF_8));
                    partial.reset();
                    lines++;
                    start = i + 1;
                }
            }
            partial.write(heap, start, n - start);
        }
        return lines;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        fd.close();
        arena.close();
    }
}
