package podnet.linux.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import podnet.linux.inet.Cidr;
import podnet.linux.ns.Netns;

/**
 * Tiny TCP and UDP servers inside a test namespace that answer "NAME from SOURCE" (so a test
 * sees whether the source was rewritten), and clients that connect from any namespace. The
 * sockets are opened on a thread inside the namespace and stay there. Closed by {@link #close()}.
 */
public final class PortProbe implements AutoCloseable {
    private final List<AutoCloseable> servers = new ArrayList<>();

    /** TCP on [::]:port (dual stack: IPv4 clients arrive v4-mapped). */
    public PortProbe serveTcp(Netns ns, int port, String name) {
        ServerSocket s = ns.call(() -> {
            ServerSocket ss = new ServerSocket();
            ss.bind(new InetSocketAddress(InetAddress.getByName("::"), port));
            return ss;
        });
        servers.add(s);
        Thread.ofPlatform().daemon().start(() -> {
            while (!s.isClosed()) {
                try (Socket c = s.accept()) {
                    c.getOutputStream().write((name + " from " + Cidr.text(c.getInetAddress())).getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // closed at tear-down
                }
            }
        });
        return this;
    }

    /** UDP on [::]:port: each datagram is answered with "udp from SOURCE". */
    public PortProbe serveUdp(Netns ns, int port) {
        DatagramSocket s = ns.call(() -> new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::"), port)));
        servers.add(s);
        Thread.ofPlatform().daemon().start(() -> {
            byte[] buf = new byte[512];
            while (!s.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    s.receive(p);
                    byte[] reply = ("udp from " + Cidr.text(p.getAddress())).getBytes(StandardCharsets.UTF_8);
                    s.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                } catch (IOException e) {
                    // closed
                }
            }
        });
        return this;
    }

    /** What a TCP connect from {@code from} to {@code to}:{@code port} reads, or "failed: …". */
    public static String tcp(Netns from, String to, int port) {
        try {
            return from.call(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(InetAddress.getByName(to), port), 2000);
                    s.setSoTimeout(2000);
                    return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                }
            });
        } catch (RuntimeException e) {
            return "failed: " + e.getMessage();
        }
    }

    /** The UDP reply to one datagram from {@code from}, or "failed: …". */
    public static String udp(Netns from, String to, int port) {
        try {
            return from.call(() -> {
                try (DatagramSocket s = new DatagramSocket()) {
                    s.setSoTimeout(2000);
                    byte[] q = "hi".getBytes(StandardCharsets.UTF_8);
                    s.send(new DatagramPacket(q, q.length, InetAddress.getByName(to), port));
                    DatagramPacket p = new DatagramPacket(new byte[512], 512);
                    s.receive(p);
                    return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
                }
            });
        } catch (RuntimeException e) {
            return "failed: " + (e.getCause() instanceof SocketTimeoutException ? "timeout" : e.getMessage());
        }
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable s : servers) {
            s.close();
        }
        servers.clear();
    }
}
