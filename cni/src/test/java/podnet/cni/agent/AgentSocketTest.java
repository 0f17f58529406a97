package podnet.cni.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.inet.Cidr;

/** The pod-event protocol, both ends: {@link AgentClient} against {@link AgentServer} on a real unix socket. */
class AgentSocketTest {
    @TempDir
    Path dir;

    static final PodEvent ADD = new PodEvent(PodEvent.Op.ADD, "shop", "web", "c0ffee", Cidr.parseAddress("10.244.7.5"));
    static final Duration T = Duration.ofSeconds(5);

    @Test
    void eventsRoundTripAsOneLineOfJson() {
        assertThat(ADD.line()).isEqualTo("{\"v\":1,\"op\":\"ADD\",\"namespace\":\"shop\",\"name\":\"web\",\"containerId\":\"c0ffee\","
                + "\"ip\":\"10.244.7.5\"}\n");
        assertThat(PodEvent.parse(ADD.line().strip())).isEqualTo(ADD);
        PodEvent del = new PodEvent(PodEvent.Op.DEL, "shop", "web", "c0ffee", null);
        assertThat(PodEvent.parse(del.line().strip())).isEqualTo(del);
        assertThat(AgentAnswer.parse(AgentAnswer.failed("no").line().strip())).isEqualTo(AgentAnswer.failed("no"));
        assertThat(AgentAnswer.parse(AgentAnswer.done("in").line().strip())).isEqualTo(AgentAnswer.done("in"));
        for (String bad : List.of("{", "[]", "{\"v\":2,\"op\":\"ADD\"}", "{\"v\":1,\"op\":\"GC\",\"namespace\":\"a\",\"name\":\"b\",\"containerId\":\"c\"}",
                "{\"v\":1,\"op\":\"ADD\",\"namespace\":\"a\",\"name\":\"b\",\"containerId\":\"c\"}",
                "{\"v\":1,\"op\":\"DEL\",\"namespace\":\"a\",\"name\":\"\",\"containerId\":\"c\"}",
                "{\"v\":1,\"op\":\"ADD\",\"namespace\":\"a\",\"name\":\"b\",\"containerId\":\"c\",\"ip\":\"web.example\"}")) {
            assertThatThrownBy(() -> PodEvent.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> AgentAnswer.parse("{\"detail\":\"x\"}")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theClientGetsTheHandlersAnswerAfterItRan() throws Exception {
        Path sock = dir.resolve("agent.sock");
        List<PodEvent> seen = new CopyOnWriteArrayList<>();
        try (AgentServer s = AgentServer.start(sock, e -> {
            seen.add(e);
            return e.name().equals("web") ? AgentAnswer.done("3 elements") : AgentAnswer.failed("pod unknown");
        }, m -> {})) {
            assertThat(Files.getPosixFilePermissions(sock)).hasSize(2); // rw for root only
            assertThat(AgentClient.ask(sock, ADD, T)).contains(AgentAnswer.done("3 elements"));
            assertThat(seen).containsExactly(ADD);
            PodEvent other = new PodEvent(PodEvent.Op.DEL, "shop", "db", "beef", null);
            assertThat(AgentClient.ask(sock, other, T)).contains(AgentAnswer.failed("pod unknown"));
            assertThat(raw(sock, "not json\n")).startsWith("{\"ok\":false,\"error\":\"bad request: ");
        }
        assertThat(sock).as("closing leaves the file: a plugin finds it and nobody answering").exists();
    }

    @Test
    void noSocketFileMeansNoAgentAndTheCallerGoesOn() throws Exception {
        assertThat(AgentClient.ask(dir.resolve("none.sock"), ADD, T)).isEmpty();
    }

    @Test
    void aSocketNobodyListensOnIsUnreachable() throws Exception {
        Path sock = dir.resolve("dead.sock");
        AgentServer.start(sock, e -> AgentAnswer.done(""), m -> {}).close(); // the file stays, as after a crash
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> AgentClient.ask(sock, ADD, T)).isInstanceOf(AgentClient.Unreachable.class)
                .hasMessageContaining("nobody listens on " + sock);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
        // A new agent replaces the stale file; remove() takes it away when nobody answers.
        try (AgentServer s = AgentServer.start(sock, e -> AgentAnswer.done("back"), m -> {})) {
            assertThat(AgentClient.ask(sock, ADD, T)).contains(AgentAnswer.done("back"));
            assertThatThrownBy(() -> AgentServer.start(sock, e -> AgentAnswer.done(""), m -> {}))
                    .isInstanceOf(IOException.class).hasMessageContaining("another agent listens");
            assertThat(AgentServer.remove(sock)).as("never a live agent's socket").isFalse();
        }
        assertThat(AgentServer.remove(sock)).isTrue();
        assertThat(sock).doesNotExist();
    }

    @Test
    void anAgentThatDoesNotAnswerInTimeIsUnreachableWithinTheBound() throws Exception {
        Path sock = dir.resolve("slow.sock");
        CountDownLatch release = new CountDownLatch(1);
        try (AgentServer s = AgentServer.start(sock, e -> {
            try {
                release.await();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            return AgentAnswer.done("late");
        }, m -> {})) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> AgentClient.ask(sock, ADD, Duration.ofMillis(300)))
                    .isInstanceOf(AgentClient.Unreachable.class).hasMessageContaining("did not answer within 300 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(290), Duration.ofSeconds(2));
            release.countDown();
        }
        // A listener that accepts and never reads: the same bound.
        Path mute = dir.resolve("mute.sock");
        try (ServerSocketChannel m = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            m.bind(UnixDomainSocketAddress.of(mute));
            assertThatThrownBy(() -> AgentClient.ask(mute, ADD, Duration.ofMillis(200))).isInstanceOf(AgentClient.Unreachable.class);
        }
    }

    @Test
    void aClientThatSendsNothingIsClosedByTheServer() throws Exception {
        Path sock = dir.resolve("idle.sock");
        try (AgentServer s = AgentServer.start(sock, e -> AgentAnswer.done(""), m -> {});
                SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            long t0 = System.nanoTime();
            assertThat(c.read(ByteBuffer.allocate(16))).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(AgentServer.READ_LIMIT.minusMillis(500));
        }
    }

    private static String raw(Path sock, String request) throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            c.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            ByteBuffer in = ByteBuffer.allocate(4096);
            while (c.read(in) >= 0) {
                // until the server closes
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
        }
    }
}
