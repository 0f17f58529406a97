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
 * The upstream Netpol e2e's world: namespaces x, y, z with pods a, b, c (labels pod=a|b|c), each
 * pod a netns on its node's cni0 with servers on TCP and UDP 80 and 81 (in-JVM responders:
 * sockets opened inside the pod's netns stay there), and a prober that measures the full
 * reachability matrix with real connections, all probes at once, short timeouts. On one node
 * (its own node namespace, cni0 10.244.2.1/24) or spread over given nodes, each with its cni0
 * subnet; pod k (x/a = 0 … z/c = 8) has host number 10+k in its node's subnet either way.
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
        final int node;
        Map<String, String> labels = new LinkedHashMap<>();

        Pod(String namespace, String name, InetAddress ip, Netns netns, int node) {
            this.namespace = namespace;
            this.name = name;
            this.ip = ip;
            this.netns = netns;
            this.node = node;
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

        /** As node {@code here} sees it: a peer only when it runs on another node. */
        PolicyPod viewFrom(int here) {
            return new PolicyPod(namespace, name, labels, ip, NAMED, node != here);
        }
    }

    final TestNetns namespaces;
    final Netns node;
    final List<Netns> nodes;
    private final List<Cidr> subnets;
    private final boolean routed;
    final List<Pod> pods = new ArrayList<>();
    private final List<AutoCloseable> servers = new ArrayList<>();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private int nextIp = 10;

    /** One node of its own, all pods on it. */
    NetpolPods() {
        namespaces = new TestNetns("policy");
        try {
            node = namespaces.add("node");
            nodes = List.of(node);
            subnets = List.of(Cidr.parse("10.244.2.0/24"));
            routed = false;
            bridge(node, subnets.getFirst());
            addAll();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Pods spread over {@code nodes} (each gets a cni0 with the first address of its subnet; the
     * nodes route between the subnets themselves): pod k of x/a … z/c on node (ns + name) mod n,
     * with a default route via its cni0.
     */
    NetpolPods(List<Netns> nodes, List<Cidr> subnets) {
        namespaces = new TestNetns("polc");
        try {
            this.nodes = List.copyOf(nodes);
            this.subnets = List.copyOf(subnets);
            node = nodes.getFirst();
            routed = true;
            for (int i = 0; i < nodes.size(); i++) {
                bridge(nodes.get(i), subnets.get(i));
            }
            addAll();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static void bridge(Netns node, Cidr subnet) {
        try (NetlinkHandle h = NetlinkHandle.open(node)) {
            h.links().setUp("lo");
            h.links().addBridge("cni0", 0, false);
            h.addresses().add("cni0", Cidr.parse(Cidr.text(host(subnet, 1)) + "/" + subnet.prefixLength()));
            h.links().setUp("cni0");
        }
    }

    private void addAll() {
        for (String ns : NAMESPACES) {
            for (String n : NAMES) {
                add(ns, n);
            }
        }
    }

    static InetAddress host(Cidr subnet, int n) {
        byte[] b = subnet.network().address().getAddress();
        int v = ((b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff)) + n;
        return Cidr.parseAddress(((v >>> 24) & 0xff) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff));
    }

    /** Makes a pod (netns, veth on its node's cni0, address, servers); labels pod=NAME. */
    Pod add(String ns, String name) {
        int i = nextIp++;
        int site = nodes.size() == 1 ? 0 : Math.floorMod(NAMESPACES.indexOf(ns) + Math.max(0, NAMES.indexOf(name)), nodes.size());
        Netns nodeNs = nodes.get(site);
        Cidr subnet = subnets.get(site);
        Netns net = namespaces.add(ns + name + i);
        String host = "vpol" + Integer.toHexString(0x1000 + i) + Long.toHexString(ProcessHandle.current().pid() % 0xfff);
        InetAddress ip = host(subnet, i);
        try (NetlinkHandle h = NetlinkHandle.open(nodeNs)) {
            h.links().addVeth(host, "eth0", net, 0);
            h.links().setMaster(host, "cni0");
            h.links().setUp(host);
        }
        try (NetlinkHandle p = NetlinkHandle.open(net)) {
            p.links().setUp("lo");
            p.addresses().add("eth0", Cidr.parse(Cidr.text(ip) + "/" + subnet.prefixLength()));
            p.links().setUp("eth0");
            if (routed) {
                p.routes().add(podnet.linux.netlink.Route.of(null, host(subnet, 1), 0));
            }
        }
        Pod pod = new Pod(ns, name, ip, net, site);
        pod.labels.put("pod", name);
        pods.add(pod);
        serve(net);
        return pod;
    }

    Pod pod(String key) {
        return pods.stream().filter(p -> p.key().equals(key)).findFirst().orElseThrow();
    }

    private static final java.util.regex.Pattern ADDRESS = java.util.regex.Pattern.compile("\\{([a-z]/[a-z])(?:/(\\d+))?\\}");

    /**
     * A manifest with the pods' addresses filled in: {@code {y/b}} is y/b's address,
     * {@code {x/a/29}} the /29 network around x/a's address, as CIDR text.
     */
    String resolve(String yaml) {
        return ADDRESS.matcher(yaml).replaceAll(m -> {
            InetAddress ip = pod(m.group(1)).ip;
            if (m.group(2) == null) {
                return Cidr.text(ip);
            }
            Cidr c = Cidr.parse(Cidr.text(ip) + "/" + m.group(2)).network();
            return Cidr.text(c.address()) + "/" + c.prefixLength();
        });
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
