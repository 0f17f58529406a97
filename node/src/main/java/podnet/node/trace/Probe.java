package podnet.node.trace;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;

/** What the trace sends from the source's namespace: an ICMP echo, a TCP connect or a UDP datagram. */
public sealed interface Probe {
    int TIMEOUT_MILLIS = 2000;

    /** Sends from inside {@code src}'s namespace; true if the destination answered. */
    boolean send(Endpoint src, Endpoint dst);

    String describe();

    /** ICMP echo; the JDK sends it from a raw socket when run as root. */
    record Icmp() implements Probe {
        @Override
        public boolean send(Endpoint src, Endpoint dst) {
            return src.netns().call(() -> dst.ip().isReachable(TIMEOUT_MILLIS));
        }

        @Override
        public String describe() {
            return "ICMP echo";
        }
    }

    /** A TCP connect: answered means SYN-ACK (open) or RST (closed) came back. */
    record Tcp(int port) implements Probe {
        @Override
        public boolean send(Endpoint src, Endpoint dst) {
            return src.netns().call(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(dst.ip(), port), TIMEOUT_MILLIS);
                    return true;
                } catch (java.net.ConnectException refused) {
                    return true; // an RST is an answer: the path works, the port is closed
                } catch (IOException timeout) {
                    return false;
                }
            });
        }

        @Override
        public String describe() {
            return "TCP connect to port " + port;
        }
    }

    /**
     * A UDP datagram of {@code size} payload bytes to a port nobody listens on (traceroute's
     * 33434): the destination answers with ICMP port unreachable, which a connected socket
     * reports — so a big probe shows whether packets of that size get through.
     */
    record UdpSized(int size) implements Probe {
        static final int PORT = 33434;

        @Override
        public boolean send(Endpoint src, Endpoint dst) {
            return src.netns().call(() -> {
                try (DatagramSocket s = new DatagramSocket()) {
                    s.connect(new InetSocketAddress(dst.ip(), PORT));
                    s.setSoTimeout(TIMEOUT_MILLIS);
                    s.send(new DatagramPacket(new byte[size], size));
                    s.receive(new DatagramPacket(new byte[16], 16));
                    return true; // someone listens after all: an answer too
                } catch (java.net.PortUnreachableException unreachable) {
                    return true;
                } catch (IOException lostOrTooBig) {
                    return false;
                }
            });
        }

        @Override
        public String describe() {
            return "UDP datagram of " + size + " bytes to port " + PORT;
        }
    }

    /** One UDP datagram; UDP has no answer of its own, so this reports whether it could be sent. */
    record Udp(int port) implements Probe {
        @Override
        public boolean send(Endpoint src, Endpoint dst) {
            return src.netns().call(() -> {
                try (DatagramSocket s = new DatagramSocket()) {
                    byte[] payload = "podnet trace".getBytes();
                    s.send(new DatagramPacket(payload, payload.length, dst.ip(), port));
                    Thread.sleep(300);
                    return false;
                } catch (IOException e) {
                    return false;
                }
            });
        }

        @Override
        public String describe() {
            return "UDP datagram to port " + port;
        }
    }
}
