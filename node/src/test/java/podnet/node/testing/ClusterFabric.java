package podnet.node.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import podnet.cni.runtime.InProcessRuntime;
import podnet.linux.fs.DirectoryTree;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Route;
import podnet.linux.ns.Netns;
import podnet.linux.sysctl.Sysctl;
import podnet.linux.testing.Ip;
import podnet.linux.testing.TestNetns;
import podnet.node.cluster.AgentOptions;
import podnet.node.cluster.BackendType;
import podnet.node.cluster.NetworkConfig;
import podnet.node.cluster.NodeAgent;
import podnet.node.cluster.RegistrySpec;
import podnet.node.pod.PodRecord;
import podnet.node.pod.PodSpec;
import podnet.node.pod.Pods;

/**
 * Nodes on one machine, for cluster tests: each node is a network namespace with eth0 on an
 * underlay — one L2 segment (a bridge in a fabric namespace), or two segments joined by a
 * router namespace — and a private etcd in a namespace of its own on the first segment. Node
 * agents run in this JVM (or, in the CLI's tests, as processes), pods through podnet's pod
 * runtime with each node's state directory. {@link #close()} removes everything, in order.
 */
public final class ClusterFabric implements AutoCloseable {
    public static final String NETWORK = "10.244.0.0/16";
    public static final String ETCD_IP = "192.168.50.2";

    /** One node: its namespace, name, underlay address and state directory. */
    public record Node(int number, Netns netns, String name, String ip, Path stateDir, ByteArrayOutputStream log) {
        public String logText() {
            synchronized (log) {
                return log.toString(StandardCharsets.UTF_8);
            }
        }
    }

    public final TestNetns namespaces;
    private final List<Node> nodes = new ArrayList<>();
    private final List<NodeAgent> agents = new ArrayList<>();
    private final List<Thread> agentThreads = new ArrayList<>();
    private final List<String[]> pods = new ArrayList<>(); // node number, pod name
    private final Path root;
    private Netns fabricA, fabricB, router, etcdNs;
    private EtcdServer etcd;
    private int ports;

    private ClusterFabric(String label) throws IOException {
        this.namespaces = new TestNetns(label);
        this.root = Files.createTempDirectory("podnet-cluster-" + label + "-");
    }

    /** {@code count} nodes on one L2 segment 192.168.50.0/24 (node i at .10+i), etcd at .2. */
    public static ClusterFabric flat(String label, int count) {
        EtcdServer.assumeInstalled();
        ClusterFabric f = create(label);
        try {
            f.fabricA = f.segment("fabA");
            f.startEtcd();
            for (int i = 1; i <= count; i++) {
                f.addNode(i, f.fabricA, "192.168.50." + (10 + i), null);
            }
            return f;
        } catch (RuntimeException | Error e) {
            f.close();
            throw e;
        }
    }

    /**
     * A routed underlay: node 1 on segment A (192.168.50.0/24, with etcd), nodes 2.. on
     * segment B (192.168.60.0/24), a router namespace between them (.1 on each).
     */
    public static ClusterFabric routed(String label, int count) {
        EtcdServer.assumeInstalled();
        ClusterFabric f = create(label);
        try {
            f.fabricA = f.segment("fabA");
            f.fabricB = f.segment("fabB");
            f.router = f.namespaces.add("router");
            f.plug(f.fabricA, f.router, "ra", "eth0", "192.168.50.1/24");
            f.plug(f.fabricB, f.router, "rb", "eth1", "192.168.60.1/24");
            Sysctl.set(f.router, "net.ipv4.ip_forward", "1");
            f.startEtcd();
            try (NetlinkHandle h = NetlinkHandle.open(f.etcdNs)) {
                h.routes().add(Route.of(Cidr.parse("192.168.60.0/24"), Cidr.parseAddress("192.168.50.1"), 0));
            }
            f.addNode(1, f.fabricA, "192.168.50.11", "192.168.50.1");
            for (int i = 2; i <= count; i++) {
                f.addNode(i, f.fabricB, "192.168.60." + (10 + i), "192.168.60.1");
            }
            return f;
        } catch (RuntimeException | Error e) {
            f.close();
            throw e;
        }
    }

    private static ClusterFabric create(String label) {
        try {
            return new ClusterFabric(label);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private Netns segment(String name) {
        Netns ns = namespaces.add(name);
        try (NetlinkHandle h = NetlinkHandle.open(ns)) {
            h.links().setUp("lo");
            h.links().addBridge("br0", 0, false);
            h.links().setUp("br0");
        }
        return ns;
    }

    /** A veth from the segment's bridge (port {@code port}) to {@code ifname} in {@code ns}, with {@code cidr}. */
    private void plug(Netns segment, Netns ns, String port, String ifname, String cidr) {
        try (NetlinkHandle s = NetlinkHandle.open(segment); NetlinkHandle n = NetlinkHandle.open(ns)) {
            s.links().addVeth(port, ifname, ns, 0);
            s.links().setMaster(port, "br0");
            s.links().setUp(port);
            n.links().setUp("lo");
            n.addresses().add(ifname, Cidr.parse(cidr));
            n.links().setUp(ifname);
        }
    }

    /** Another namespace on the first segment with {@code ip/24} on its eth0 (e.g. an API server's). */
    public Netns addHost(String base, String ip) {
        Netns ns = namespaces.add(base);
        plug(fabricA, ns, "h" + base.substring(0, Math.min(base.length(), 10)), "eth0", ip + "/24");
        return ns;
    }

    private void startEtcd() {
        etcdNs = namespaces.add("etcd");
        plug(fabricA, etcdNs, "pe", "eth0", ETCD_IP + "/24");
        etcd = EtcdServer.start(etcdNs, ETCD_IP);
    }

    private void addNode(int i, Netns segment, String ip, String gateway) {
        Netns ns = namespaces.add("node" + i);
        plug(segment, ns, "p" + i, "eth0", ip + "/24");
        if (gateway != null) {
            try (NetlinkHandle h = NetlinkHandle.open(ns)) {
                h.routes().add(Route.of(null, Cidr.parseAddress(gateway), 0));
            }
        }
        Path state = root.resolve("node" + i);
        nodes.add(new Node(i, ns, "node" + i, ip, state, new ByteArrayOutputStream()));
    }

    public Node node(int i) {
        return nodes.get(i - 1);
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    public EtcdServer etcd() {
        return etcd;
    }

    public Path root() {
        return root;
    }

    public Netns router() {
        return router;
    }

    public Netns fabric() {
        return fabricA;
    }

    /** The agent options for node {@code i} with this fabric's etcd. */
    public AgentOptions options(int i, BackendType backend) {
        Node n = node(i);
        return new AgentOptions(n.name(), n.netns(), n.stateDir(),
                new NetworkConfig(Cidr.parse(NETWORK), 24, backend), "eth0", null,
                new RegistrySpec.Etcd(List.of(URI.create(etcd.endpoint())), "/coreos.com/network"), null, true,
                Duration.ofHours(24));
    }

    /** Starts node {@code i}'s agent in this JVM and waits until it has joined. */
    public NodeAgent startAgent(int i, BackendType backend) {
        return startAgent(options(i, backend), node(i));
    }

    public NodeAgent startAgent(AgentOptions o, Node n) {
        NodeAgent a = startAgentNoWait(o, n);
        try {
            if (!a.awaitReady(Duration.ofSeconds(30))) {
                throw new AssertionError("agent of " + n.name() + " did not join:\n" + n.logText());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return a;
    }

    /** Starts an agent without waiting (it may be waiting for etcd). */
    public NodeAgent startAgentNoWait(AgentOptions o, Node n) {
        PrintStream log = new PrintStream(new SyncStream(n.log()), true, StandardCharsets.UTF_8);
        NodeAgent a = new NodeAgent(o, log, false);
        Thread t = Thread.ofPlatform().name("agent-" + n.name()).start(() -> {
            try {
                a.run();
            } catch (RuntimeException e) {
                log.println("agent failed: " + e);
            }
        });
        synchronized (agents) {
            agents.add(a);
            agentThreads.add(t);
        }
        return a;
    }

    /** Runs pod {@code name} (a sleeping container) on node {@code i}; returns its record (with its IP). */
    public PodRecord pod(int i, String name) {
        Node n = node(i);
        namespaces.track(podnet.node.pod.PodSandbox.netnsName(name)); // removed even if the pod's removal fails
        PodRecord r = pods(n).run(PodSpec.single(name, List.of("sleep", "3600")), null, n.netns().name());
        synchronized (pods) {
            pods.add(new String[] {Integer.toString(i), name});
        }
        return r;
    }

    public Pods pods(Node n) {
        return new Pods(n.stateDir(), () -> new InProcessRuntime(List.of(Path.of("/opt/cni/bin"), Path.of("/usr/lib/cni")),
                n.stateDir().resolve("cni-results")));
    }

    /** The pod's address without its prefix length. */
    public static String ip(PodRecord r) {
        return r.ip().substring(0, r.ip().indexOf('/'));
    }

    public static boolean ping(PodRecord from, String toIp) {
        return Ip.ping(from.netns(), toIp, 2);
    }

    /** Sends bytes over TCP from one pod to another and reads them echoed; true when they came back. */
    public boolean tcp(PodRecord from, PodRecord to) {
        int port = 7000 + (ports++);
        Netns src = Netns.named(from.netns());
        Netns dst = Netns.named(to.netns());
        try (ServerSocket server = dst.call(() -> {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(ip(to), port));
            return s;
        })) {
            server.setSoTimeout(5000);
            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                try (Socket c = server.accept()) {
                    c.getOutputStream().write(c.getInputStream().readNBytes(5));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            // A SocketChannel has its descriptor from the start (a plain Socket only at connect, on the caller's thread).
            try (Socket c = src.call(java.nio.channels.SocketChannel::open).socket()) {
                c.connect(new InetSocketAddress(ip(to), port), 3000);
                c.setSoTimeout(3000);
                OutputStream out = c.getOutputStream();
                out.write("hello".getBytes(StandardCharsets.US_ASCII));
                InputStream in = c.getInputStream();
                boolean ok = "hello".equals(new String(in.readNBytes(5), StandardCharsets.US_ASCII));
                echo.get(5, TimeUnit.SECONDS);
                return ok;
            }
        } catch (Exception e) {
            return false;
        }
    }

    /** Waits up to {@code timeout} for {@code condition}. */
    public static boolean eventually(Duration timeout, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }

    /** Stops every in-process agent. */
    public void stopAgents() {
        List<NodeAgent> all;
        synchronized (agents) {
            all = new ArrayList<>(agents);
            agents.clear();
        }
        for (NodeAgent a : all) {
            a.close();
        }
        for (Thread t : agentThreads) {
            try {
                t.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        agentThreads.clear();
    }

    /** Every node's log, for a failure message. */
    public String logs() {
        StringBuilder sb = new StringBuilder();
        for (Node n : nodes) {
            sb.append("--- ").append(n.name()).append('\n').append(n.logText());
        }
        return sb.toString();
    }

    @Override
    public void close() {
        try {
            stopAgents();
            List<String[]> all;
            synchronized (pods) {
                all = new ArrayList<>(pods);
            }
            for (String[] p : all) {
                try {
                    pods(node(Integer.parseInt(p[0]))).remove(p[1]);
                } catch (RuntimeException e) {
                    // the namespace removal below takes what is left
                }
            }
        } finally {
            try {
                if (etcd != null) {
                    etcd.close();
                }
            } finally {
                try {
                    namespaces.close();
                } finally {
                    DirectoryTree.deleteQuietly(root);
                }
            }
        }
    }

    /** A stream that several threads write lines to; reads take the same lock. */
    private static final class SyncStream extends OutputStream {
        private final ByteArrayOutputStream target;

        SyncStream(ByteArrayOutputStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) {
            synchronized (target) {
                target.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (target) {
                target.write(b, off, len);
            }
        }
    }
}
