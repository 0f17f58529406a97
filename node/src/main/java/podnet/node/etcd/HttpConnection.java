package podnet.node.etcd;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 connection to an etcd endpoint: POST a JSON body, read the answer (by
 * Content-Length or chunked). Written here rather than with java.net.http because the socket
 * must come from a {@link SocketOpener} (the node's namespace), which that client cannot take.
 * Plain http only: etcd's client URL inside the cluster's own network.
 */
final class HttpConnection implements Closeable {
    /** An answer: status and the whole body; {@code reusable} when the connection can carry another request. */
    record Response(int status, byte[] body, boolean reusable) {}

    private final URI endpoint;
    private final SocketChannel channel;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private HttpConnection(URI endpoint, SocketChannel channel) throws IOException {
        this.endpoint = endpoint;
        this.channel = channel;
        this.socket = channel.socket();
        this.in = new java.io.BufferedInputStream(socket.getInputStream(), 16 * 1024);
        this.out = socket.getOutputStream();
    }

    static HttpConnection open(SocketOpener opener, URI endpoint, int connectTimeoutMillis) throws IOException {
        if (!"http".equals(endpoint.getScheme()) || endpoint.getHost() == null) {
            throw new IOException("unsupported endpoint " + endpoint + " (give http://HOST:PORT)");
        }
        SocketChannel ch = opener.open();
        try {
            int port = endpoint.getPort() < 0 ? 2379 : endpoint.getPort();
            ch.socket().connect(new InetSocketAddress(endpoint.getHost(), port), connectTimeoutMillis);
            ch.socket().setTcpNoDelay(true);
            return new HttpConnection(endpoint, ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    URI endpoint() {
        return endpoint;
    }

    /** POSTs {@code body} to {@code path} and reads the whole answer within {@code timeoutMillis} per read. */
    Response post(String path, byte[] body, int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        send(path, body);
        Head head = readHead();
        byte[] content;
        boolean reusable = head.keepAlive;
        if (head.chunked) {
            ChunkedInputStream c = new ChunkedInputStream(in);
            content = c.readAllBytes();
        } else if (head.contentLength >= 0) {
            content = in.readNBytes((int) head.contentLength);
            if (content.length < head.contentLength) {
                throw new IOException("connection closed after " + content.length + " of " + head.contentLength + " bytes");
            }
        } else {
            content = in.readAllBytes();
            reusable = false;
        }
        return new Response(head.status, content, reusable);
    }

    /**
     * POSTs {@code body} and returns the answer's body as a stream that ends with the
     * response (a watch: newline-separated JSON messages). A non-2xx answer is read whole and
     * thrown as an IOException with its text.
     */
    InputStream stream(String path, byte[] body) throws IOException {
        socket.setSoTimeout(0);
        send(path, body);
        Head head = readHead();
        InputStream bodyIn = head.chunked ? new ChunkedInputStream(in) : in;
        if (head.status / 100 != 2) {
            throw new IOException("HTTP " + head.status + ": " + new String(bodyIn.readNBytes(4096), StandardCharsets.UTF_8));
        }
        return bodyIn;
    }

    /** Bounds every blocking read of a stream from now on (0: wait forever). */
    void readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    private void send(String path, byte[] body) throws IOException {
        String head = "POST " + path + " HTTP/1.1\r\n"
                + "Host: " + endpoint.getHost() + (endpoint.getPort() > 0 ? ":" + endpoint.getPort() : "") + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        out.write(all);
        out.flush();
    }

    private record Head(int status, long contentLength, boolean chunked, boolean keepAlive) {}

    private Head readHead() throws IOException {
        String status = readLine(in);
        if (status.isEmpty()) {
            throw new IOException("connection closed before an answer");
        }
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP answer: \"" + status + "\"");
        }
        int code;
        try {
            code = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status: \"" + status + "\"");
        }
        long length = -1;
        boolean chunked = false;
        boolean keepAlive = parts[0].equals("HTTP/1.1");
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> keepAlive = !value.equalsIgnoreCase("close");
                default -> { }
            }
        }
        return new Head(code, length, chunked, keepAlive);
    }

    /** One CRLF- (or LF-) terminated line without its terminator; "" at the end of the stream. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.write(c);
            }
            if (b.size() > 64 * 1024) {
                throw new IOException("header line longer than 64 KiB");
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
    }
}
