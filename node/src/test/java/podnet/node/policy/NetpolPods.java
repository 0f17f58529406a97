package podnet.node.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;
import podnet.linux.testing.TestNetns;

/**
 * The upstream Netpol e2e's world on one node: namespaces x, y, z with pods a, b, c (labels
 * pod=a|b|c), each pod a netns on the node's cni0 with servers on TCP and UDP 80 and 81 (in-JVM
 * responders: sockets opened inside the pod's netns stay there), and a prober that measures the
 * full reachability matrix with real connections, all probes at once, short timeouts.
 */
final class NetpolPods implements AutoCloseable {
    static final List<String> NAMESPACES = List.of("x", "y", "z"), NAMES = List.of("a", "b", "c");
    static final int[] PORTS = {80, 81};
    static final int TCP = 6, UDP = 17;
    private static final int TIMEOUT_MS = 500;

    /** A pod of the fixture; labels can change (the relabel cases). */
    static final class Pod {
        final String namespace, name;
        final InetAddress ip;
        final Netns netns;
        Map<String, String> labels = new LinkedHashMap<>();

        Pod(String namespace, String name, InetAddress ip, Netns netns) {
            this.namespace = namespace;
            this.name = name;
            this.ip = ip;
            this.netns = netns;
        }

        String key() {
            return namespace + "/" + name;
        }

        static final List<PolicyPod.NamedPort> NAMED = List.of(
                new PolicyPod.NamedPort("serve-80-tcp", 80, "TCP"), new PolicyPod.NamedPort("serve-81-tcp", 81, "TCP"),
                new PolicyPod.NamedPort("serve-80-udp", 80, "UDP"), new PolicyPod.NamedPort("serve-81-udp", 81, "UDP"));

        PolicyPod view() {
            return new PolicyPod(namespace, name, labels, ip, NAMED);
        }
    }

    final TestNetns namespaces;
    final Netns node;
    final List<Pod> pods = new ArrayList<>();
    private final List<AutoCloseable> servers = new ArrayList<>();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private int nextIp = 10;

    NetpolPods() {
        namespaces = new TestNetns("policy");
        try {
            node = namespaces.add("node");
            try (NetlinkHandle h = NetlinkHandle.open(node)) {
                h.links().setUp("lo");
                h.links().addBridge("cni0", 0, false);
                h.addresses().add("cni0", Cidr.parse("10.244.2.1/24"));
                h.links().setUp("cni0");
            }
            for (String ns : NAMESPACES) {
                for (String n : NAMES) {
                    add(ns, n);
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Makes a pod (netns, veth on cni0, address, servers); labels pod=NAME. */
    Pod add(String ns, String name) {
        int i = nextIp++;
        Netns net = namespaces.add(ns + name + i);
        String host = "vpol" + Integer.toHexString(0x1000 + i) + Long.toHexString(ProcessHandle.current().pid() % 0xfff);
        InetAddress ip = Cidr.parseAddress("10.244.2." + i);
        try (NetlinkHandle h = NetlinkHandle.open(node)) {
            h.links().addVeth(host, "eth0", net, 0);
            h.links().setMaster(host, "cni0");
            h.links().setUp(host);
        }
        try (NetlinkHandle p = NetlinkHandle.open(net)) {
            p.links().setUp("lo");
            p.addresses().add("eth0", Cidr.parse("10.244.2." + i + "/24"));
            p.links().setUp("eth0");
        }
        Pod pod = new Pod(ns, name, ip, net);
        pod.labels.put("pod", name);
        pods.add(pod);
        serve(net);
        return pod;
    }

    Pod pod(String key) {
        return pods.stream().filter(p -> p.key().equals(key)).findFirst().orElseThrow();
    }

    List<PolicyPod> views() {
        return pods.stream().map(Pod::view).toList();
    }

    private void serve(Netns net) {
        for (int port : PORTS) {
            ServerSocketChannel tcp = net.call(() -> ServerSocketChannel.open().bind(new InetSocketAddress(port)));
            DatagramChannel udp = net.call(() -> DatagramChannel.open().bind(new InetSocketAddress(port)));
            servers.add(tcp);
            servers.add(udp);
            threads.submit(() -> {
                while (tcp.isOpen()) {
                    try (SocketChannel c = tcp.accept()) {
                        c.write(ByteBuffer.wrap(new byte[] {'k'}));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            threads.submit(() -> {
                ByteBuffer b = ByteBuffer.allocate(64);
                while (udp.isOpen()) {
                    try {
                        b.clear();
                        var from = udp.receive(b);
                        b.flip();
                        udp.send(b, from);
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }
    }

    /** One probe's result key: "x/a->y/b tcp/80". */
    static String probe(Pod s, Pod d, int proto, int port) {
        return s.key() + "->" + d.key() + " " + (proto == TCP ? "tcp" : "udp") + "/" + port;
    }

    /** Measures every pod to every pod on TCP and UDP 80 and 81, in parallel; true = reached. */
    Map<String, Boolean> measure() {
        Map<String, Future<Boolean>> pending = new LinkedHashMap<>();
        for (Pod s : pods) {
            List<Object> channels = s.netns.call(() -> {
                List<Object> cs = new ArrayList<>();
                for (int k = 0; k < pods.size() * PORTS.length; k++) {
                    cs.add(SocketChannel.open());
                    cs.add(DatagramChannel.open());
                }
                return cs;
            });
            int k = 0;
            for (Pod d : pods) {
                for (int port : PORTS) {
                    SocketChannel tcp = (SocketChannel) channels.get(k++);
                    DatagramChannel udp = (DatagramChannel) channels.get(k++);
                    InetSocketAddress to = new InetSocketAddress(d.ip, port);
                    pending.put(probe(s, d, TCP, port), threads.submit(() -> tcp(tcp, to)));
                    pending.put(probe(s, d, UDP, port), threads.submit(() -> udp(udp, to)));
                }
            }
        }
        Map<String, Boolean> out = new LinkedHashMap<>();
        pending.forEach((key, f) -> {
            try {
                out.put(key, f.get());
            } catch (Exception e) {
                throw new IllegalStateException(key, e);
            }
        });
        return out;
    }

    static boolean tcp(SocketChannel ch, InetSocketAddress to) {
        try (ch) {
            ch.socket().connect(to, TIMEOUT_MS);
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (ConnectException e) {
            return true; // refused: the SYN got there
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean udp(DatagramChannel ch, InetSocketAddress to) {
        try (ch) {
            ch.socket().setSoTimeout(TIMEOUT_MS / 2);
            for (int attempt = 0; attempt < 2; attempt++) {
                ch.send(ByteBuffer.wrap(new byte[] {'p'}), to);
                try {
                    ch.socket().receive(new java.net.DatagramPacket(new byte[64], 64));
                    return true;
                } catch (SocketTimeoutException e) {
                    // once more: the first datagram may have waited on ARP
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (AutoCloseable s : servers) {
            try {
                s.close();
            } catch (Exception e) {
                // closing anyway
            }
        }
        threads.shutdownNow();
        namespaces.close();
    }
}
