package podnet.node.etcd;

import java.io.IOException;
import java.io.InputStream;

/** The body of an HTTP/1.1 response with {@code Transfer-Encoding: chunked}, decoded; trailers are skipped. */
final class ChunkedInputStream extends InputStream {
    private final InputStream in;
    private long left;
    private boolean done;

    ChunkedInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (done) {
            return -1;
        }
        if (left == 0) {
            left = nextChunkSize();
            if (left == 0) {
                // The last chunk: trailers until an empty line.
                while (!HttpConnection.readLine(in).isEmpty()) {
                    // skip
                }
                done = true;
                return -1;
            }
        }
        int n = in.read(b, off, (int) Math.min(len, left));
        if (n < 0) {
            throw new IOException("connection closed inside a chunk");
        }
        left -= n;
        if (left == 0 && !HttpConnection.readLine(in).isEmpty()) {
            throw new IOException("chunk not followed by CRLF");
        }
        return n;
    }

    private long nextChunkSize() throws IOException {
        String line = HttpConnection.readLine(in);
        int semi = line.indexOf(';');
        String hex = (semi >= 0 ? line.substring(0, semi) : line).strip();
        try {
            return Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
            throw new IOException("bad chunk size line \"" + line + "\"");
        }
    }

    /** Whether the whole body was read (the connection can carry another request). */
    boolean finished() {
        return done;
    }
}
