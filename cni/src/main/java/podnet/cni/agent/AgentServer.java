package podnet.cni.agent;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The agent's end of the pod-event socket: one request line, one answer line, per connection,
 * each on a virtual thread. A connection that sends no full line within {@link #READ_LIMIT} is
 * closed. Closing stops listening but leaves the socket file: a plugin that finds it and nobody
 * answering fails its ADD (the runtime retries) instead of starting a pod the agent never saw.
 * {@link #remove} takes the file away when the node stops enforcing policy.
 */
public final class AgentServer implements AutoCloseable {
    static final Duration READ_LIMIT = Duration.ofSeconds(5);

    private final Path path;
    private final ServerSocketChannel server;
    private final Function<PodEvent, AgentAnswer> handler;
    private final Consumer<String> log;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private AgentServer(Path path, ServerSocketChannel server, Function<PodEvent, AgentAnswer> handler, Consumer<String> log) {
        this.path = path;
        this.server = server;
        this.handler = handler;
        this.log = log;
        this.acceptor = Thread.ofPlatform().name("podnet-agent-socket").daemon(true).unstarted(this::acceptLoop);
    }

    /**
     * Listens on {@code path} (its directory made if missing, mode 0600). A file left there by an
     * agent that is gone is replaced; one another agent answers on is refused.
     */
    public static AgentServer start(Path path, Function<PodEvent, AgentAnswer> handler, Consumer<String> log) throws IOException {
        if (Files.exists(path)) {
            if (answers(path)) {
                throw new IOException("another agent listens on " + path);
            }
            Files.delete(path);
        }
        Files.createDirectories(path.toAbsolutePath().getParent());
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            s.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        AgentServer a = new AgentServer(path, s, handler, log);
        a.acceptor.start();
        return a;
    }

    /** Removes a socket file nobody answers on (false when an agent does, or there is none). */
    public static boolean remove(Path path) throws IOException {
        if (!Files.exists(path) || answers(path)) {
            return false;
        }
        return Files.deleteIfExists(path);
    }

    private static boolean answers(Path path) {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public Path path() {
        return path;
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    log.accept("pod-event socket " + path + ": " + e.getMessage());
                }
                return;
            }
            open.add(c);
            Thread.ofVirtual().name("podnet-agent-call").start(() -> serve(c));
        }
    }

    private void serve(SocketChannel c) {
        // A blocking read has no timeout of its own: a silent client is closed from outside.
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(READ_LIMIT);
                close(c);
            } catch (InterruptedException e) {
                // answered in time
            }
        });
        try (c) {
            Optional<String> line = readLine(c);
            watchdog.interrupt();
            if (line.isEmpty()) {
                return;
            }
            AgentAnswer answer;
            try {
                answer = handler.apply(PodEvent.parse(line.get()));
            } catch (IllegalArgumentException e) {
                answer = AgentAnswer.failed("bad request: " + e.getMessage());
            } catch (RuntimeException e) {
                answer = AgentAnswer.failed(String.valueOf(e.getMessage()));
            }
            ByteBuffer out = ByteBuffer.wrap(answer.line().getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                c.write(out);
            }
        } catch (IOException e) {
            // the caller went away (or timed out): nothing to answer
        } finally {
            watchdog.interrupt();
            open.remove(c);
        }
    }

    private static Optional<String> readLine(SocketChannel c) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(PodEvent.MAX_LINE);
        while (in.hasRemaining()) {
            int start = in.position();
            if (c.read(in) < 0) {
                return Optional.empty();
            }
            for (int i = start; i < in.position(); i++) {
                if (in.get(i) == '\n') {
                    return Optional.of(new String(in.array(), 0, i, StandardCharsets.UTF_8));
                }
            }
        }
        return Optional.empty(); // too long: not ours
    }

    private static void close(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Stops listening and drops open connections; the socket file stays (see the class comment). */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        open.forEach(AgentServer::close);
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
