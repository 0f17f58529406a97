package podnet.linux.packet.pcap;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * A write buffer for capture files: little-endian fields and frame bytes go into one array that
 * reaches the stream in 256 KiB writes. Plain array stores keep the per-frame cost low (no
 * ByteBuffer, no stream lock per field), which matters at hundreds of thousands of frames a second.
 */
final class OutputBuffer implements AutoCloseable {
    private static final int SIZE = 1 << 18;

    private final OutputStream out;
    private final byte[] buf = new byte[SIZE];
    private int pos;

    OutputBuffer(OutputStream out) {
        this.out = out;
    }

    /** Makes room for {@code n} more bytes (a record larger than the buffer goes out in parts). */
    void ensure(int n) {
        if (pos + n > SIZE) {
            drain();
        }
    }

    void u16(int v) {
        ensure(2);
        buf[pos] = (byte) v;
        buf[pos + 1] = (byte) (v >>> 8);
        pos += 2;
    }

    void u32(int v) {
        ensure(4);
        buf[pos] = (byte) v;
        buf[pos + 1] = (byte) (v >>> 8);
        buf[pos + 2] = (byte) (v >>> 16);
        buf[pos + 3] = (byte) (v >>> 24);
        pos += 4;
    }

    void u64(long v) {
        u32((int) v);
        u32((int) (v >>> 32));
    }

    void bytes(byte[] b, int off, int len) {
        if (len > SIZE) {
            drain();
            write(b, off, len);
            return;
        }
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    void zeros(int n) {
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[pos++] = 0;
        }
    }

    /** Writes out what is buffered and flushes the stream. */
    void flush() {
        drain();
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void drain() {
        write(buf, 0, pos);
        pos = 0;
    }

    private void write(byte[] b, int off, int len) {
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            drain();
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
