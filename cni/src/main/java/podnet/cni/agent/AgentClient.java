package podnet.cni.agent;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import podnet.linux.fs.PathPresence;

/**
 * Asks the node's agent over its unix socket and waits, at most {@code timeout} in all
 * (connect, send, answer), for its answer. Non-blocking with a selector, so an agent that
 * accepts and never answers, or a full backlog, cannot hang the caller.
 */
public final class AgentClient {
    private AgentClient() {}

    /** The socket is there, but no agent answers on it in time (or the answer is not one). */
    public static final class Unreachable extends Exception {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The agent's answer; empty when no socket file is there (no agent enforces policy on this node). */
    public static Optional<AgentAnswer> ask(Path socket, PodEvent event, Duration timeout) throws Unreachable {
        if (!PathPresence.exists(socket)) {
            return Optional.empty();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX); Selector sel = Selector.open()) {
            ch.configureBlocking(false);
            boolean connected = ch.connect(UnixDomainSocketAddress.of(socket));
            SelectionKey key = ch.register(sel, connected ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT);
            ByteBuffer out = ByteBuffer.wrap(event.line().getBytes(StandardCharsets.UTF_8));
            ByteBuffer in = ByteBuffer.allocate(PodEvent.MAX_LINE);
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new Unreachable("the agent at " + socket + " did not answer within " + timeout.toMillis() + " ms", null);
                }
                if (sel.select(Math.max(1, left / 1_000_000)) == 0) {
                    continue;
                }
                sel.selectedKeys().clear();
                if (key.isConnectable() && ch.finishConnect()) {
                    key.interestOps(SelectionKey.OP_WRITE);
                }
                if (key.isValid() && key.isWritable()) {
                    ch.write(out);
                    if (!out.hasRemaining()) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                }
                if (key.isValid() && key.isReadable()) {
                    if (ch.read(in) < 0) {
                        throw new Unreachable("the agent at " + socket + " closed the connection without an answer", null);
                    }
                    for (int i = 0; i < in.position(); i++) {
                        if (in.get(i) == '\n') {
                            String line = new String(in.array(), 0, i, StandardCharsets.UTF_8);
                            try {
                                return Optional.of(AgentAnswer.parse(line));
                            } catch (IllegalArgumentException e) {
                                throw new Unreachable("the agent at " + socket + " answered nonsense: " + e.getMessage(), e);
                            }
                        }
                    }
                    if (!in.hasRemaining()) {
                        throw new Unreachable("the agent at " + socket + " answered more than " + PodEvent.MAX_LINE + " bytes", null);
                    }
                }
            }
        } catch (ConnectException e) {
            throw new Unreachable("nobody listens on " + socket + " (the node agent is not running)", e);
        } catch (IOException e) {
            throw new Unreachable("cannot talk to the agent at " + socket + ": " + e.getMessage(), e);
        }
    }
}
