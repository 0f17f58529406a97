package podnet.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import podnet.linux.fs.DirectoryTree;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;
import podnet.node.cluster.SubnetEnv;
import podnet.node.pod.Pods;
import podnet.node.topo.ClusterRenderer;
import podnet.node.topo.ClusterTopologyReader;

/**
 * {@code podnet demo cluster}: the article's second chapter. Three nodes as namespaces on one
 * fabric (a bridge in a namespace of its own), a private etcd, podnet's node agent on each
 * (vxlan), a pod per node, a ping from node 1's pod to node 3's while podnet captures the
 * encapsulated packets on node 1's underlay, the trace across the nodes, and the picture.
 */
final class ClusterDemo {
    static final String PREFIX = "podnet-demo-";
    static final String FABRIC = PREFIX + "fabric", ETCD = PREFIX + "etcd";
    static final Path STATE = Path.of("/run/podnet-demo-cluster");
    static final String ETCD_IP = "192.168.50.2";
    static final int NODES = 3;

    private final Cli cli;
    private final PrintStream out;
    private final Path outDir;
    private final List<Process> processes = new ArrayList<>();
    private int step;

    ClusterDemo(Cli cli, Path outDir) {
        this.cli = cli;
        this.out = cli.out;
        this.outDir = outDir;
    }

    static String node(int i) {
        return PREFIX + "node" + i;
    }

    static String pod(int i) {
        return "busybox-n" + i;
    }

    boolean run(boolean keep) {
        if (podnet.linux.fs.SearchPath.find("etcd").isEmpty()) {
            cli.err.println("podnet: etcd is not installed; the cluster demo keeps its node subnets in a private etcd");
            cli.err.println("podnet: hint: apt-get install etcd-server etcd-client");
            return false;
        }
        if (NamedNetns.exists(FABRIC) || Files.exists(STATE)) {
            cli.err.println("podnet demo cluster: a previous cluster demo is still there; remove it with `podnet demo cluster --clean`");
            return false;
        }
        boolean ok = false;
        // Stopped half-way (Ctrl-C, SIGTERM): still leave nothing behind.
        Thread hook = new Thread(this::clean, "podnet-demo-cluster-clean");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            steps();
            ok = true;
        } catch (Exception e) {
            out.println("podnet demo cluster: step " + step + " failed: " + e.getMessage());
        } finally {
            if (keep && ok) {
                out.println();
                out.println("kept: namespaces " + FABRIC + ", " + ETCD + ", " + node(1) + ".." + NODES + ", state " + STATE
                        + "; the agents and etcd keep running. Remove it all with `podnet demo cluster --clean`.");
            } else {
                clean();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook cleans
            }
        }
        return ok;
    }

    private void steps() throws Exception {
        heading("the fabric: one L2 segment (bridge br0 in " + FABRIC + "), etcd at " + ETCD_IP);
        Netns fabric = NamedNetns.add(FABRIC);
        try (NetlinkHandle h = NetlinkHandle.open(fabric)) {
            h.links().setUp("lo");
            h.links().addBridge("br0", 0, false);
            h.links().setUp("br0");
        }
        plug(fabric, NamedNetns.add(ETCD), "pe", ETCD_IP);
        for (int i = 1; i <= NODES; i++) {
            plug(fabric, NamedNetns.add(node(i)), "p" + i, "192.168.50." + (10 + i));
            say(node(i) + ": eth0 192.168.50." + (10 + i) + "/24 on the fabric");
        }
        Files.createDirectories(STATE);
        start("etcd", Netns.named(ETCD), List.of("etcd", "--name", "demo", "--data-dir", STATE.resolve("etcd").toString(),
                "--listen-client-urls", "http://" + ETCD_IP + ":2379", "--advertise-client-urls", "http://" + ETCD_IP + ":2379",
                "--listen-peer-urls", "http://127.0.0.1:2380", "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
                "--initial-cluster", "demo=http://127.0.0.1:2380", "--log-level", "warn"));
        waitFor(() -> answers(Netns.named(ETCD)), 20, "etcd did not start");
        say("etcd " + "http://" + ETCD_IP + ":2379 (data in " + STATE.resolve("etcd") + ")");

        heading("the node agent on each node: a subnet lease in etcd, flannel.1, routes to the others");
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (int i = 1; i <= NODES; i++) {
            List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "podnet.cli.Main", "--node-netns", node(i), "--state-dir", state(i).toString(), "node", "run",
                    "--network", "10.244.0.0/16", "--backend", "vxlan", "--iface", "eth0", "--node-name", "node" + i,
                    "--etcd-endpoints", "http://" + ETCD_IP + ":2379"));
            out.println("$ podnet --node-netns " + node(i) + " --state-dir " + state(i) + " node run --network 10.244.0.0/16"
                    + " --backend vxlan --iface eth0 --node-name node" + i + " --etcd-endpoints http://" + ETCD_IP + ":2379 &");
            start("agent" + i, Netns.CURRENT, cmd);
        }
        for (int i = 1; i <= NODES; i++) {
            int n = i;
            waitFor(() -> Files.exists(SubnetEnv.path(state(n))), 30, "node" + n + "'s agent did not join: " + log("agent" + n));
        }
        out.print(log("agent1").lines().filter(l -> l.contains("joined")).findFirst().orElse("") + "\n");
        podnet("--state-dir", state(1).toString(), "node", "list");

        heading("a pod on each node: `pod run` takes the node's subnet from the agent's hand-over");
        for (int i = 1; i <= NODES; i++) {
            podnet("--node-netns", node(i), "--state-dir", state(i).toString(), "pod", "run", pod(i), "--", "sleep", "3600");
        }
        String ip3 = ip(3);

        heading("node 1's pod pings node 3's: on node 1's underlay, VXLAN (UDP 8472) with the pod's packet inside");
        waitFor(() -> reachable(1, ip3), 15, "the peers' routes did not appear: " + log("agent1"));
        Thread capture = Thread.ofPlatform().start(() -> podnet("capture", "-n", node(1), "-i", "eth0", "-c", "4", "udp", "port", "8472"));
        Thread.sleep(800);
        podnet("--node-netns", node(1), "--state-dir", state(1).toString(), "pod", "exec", pod(1), "--", "ping", "-c", "2", ip3);
        capture.join(10_000);

        heading("the trace from node 1's pod to node 3's, hop by hop through the tunnel");
        podnet("trace", node(1) + "/" + pod(1), node(3) + "/" + pod(3));

        heading("the picture: nodes, subnets, pods and the tunnels between them");
        String nodes = node(1) + "," + node(2) + "," + node(3);
        podnet("topo", "--cluster", nodes);
        Files.createDirectories(outDir);
        var c = ClusterTopologyReader.read(List.of(Netns.named(node(1)), Netns.named(node(2)), Netns.named(node(3))));
        Files.writeString(outDir.resolve("podnet-cluster.svg"), ClusterRenderer.svg(c));
        Files.writeString(outDir.resolve("podnet-cluster.html"), ClusterRenderer.html(c));
        say("wrote " + outDir.resolve("podnet-cluster.svg") + " and " + outDir.resolve("podnet-cluster.html"));
    }

    private boolean reachable(int from, String ip) {
        try {
            // ping run in the pod's netns by podnet itself, as `pod exec` would (no `ip netns exec`)
            Process p = podnet.linux.ns.NsProcess.start(Netns.named(podnet.node.pod.PodSandbox.netnsName(pod(from))),
                    new ProcessBuilder("ping", "-c", "1", "-W", "1", ip).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD));
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String ip(int i) {
        var r = new Pods(state(i), () -> Pods.defaultRuntime(state(i))).require(pod(i));
        return Cidr.parse(r.ip()).address().getHostAddress();
    }

    private static Path state(int i) {
        return STATE.resolve("node" + i);
    }

    private static void plug(Netns fabric, Netns ns, String port, String ip) {
        try (NetlinkHandle s = NetlinkHandle.open(fabric); NetlinkHandle n = NetlinkHandle.open(ns)) {
            s.links().addVeth(port, "eth0", ns, 0);
            s.links().setMaster(port, "br0");
            s.links().setUp(port);
            n.links().setUp("lo");
            n.addresses().add("eth0", Cidr.parse(ip + "/24"));
            n.links().setUp("eth0");
        }
    }

    /** Starts {@code cmd} in {@code netns} (born there, through podnet's own setns; no `ip netns exec`). */
    private void start(String name, Netns netns, List<String> cmd) throws IOException {
        Process p = podnet.linux.ns.NsProcess.start(netns, new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(STATE.resolve(name + ".log").toFile())));
        processes.add(p);
        Files.writeString(STATE.resolve(name + ".pid"), Long.toString(p.pid()));
    }

    private static String log(String name) {
        try {
            return Files.readString(STATE.resolve(name + ".log"));
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean answers(Netns ns) {
        return ns.call(() -> {
            try (SocketChannel c = SocketChannel.open()) {
                c.socket().connect(new InetSocketAddress(ETCD_IP, 2379), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static void waitFor(java.util.function.BooleanSupplier ok, int seconds, String failure) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(failure);
            }
            Thread.sleep(100);
        }
    }

    private void podnet(String... args) {
        out.println("$ podnet " + String.join(" ", args));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.run(new Cli(out, new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), null), args);
        String e = err.toString(StandardCharsets.UTF_8);
        if (!e.isBlank()) {
            out.print(e);
        }
        if (rc != 0) {
            throw new IllegalStateException("`podnet " + String.join(" ", args) + "` exited " + rc);
        }
    }

    /** Removes everything the cluster demo makes (also one kept or interrupted); safe to run again. */
    synchronized void clean() {
        for (int n = 1; n <= NODES; n++) {
            int i = n;
            if (Files.exists(state(i))) {
                Pods pods = new Pods(state(i), () -> Pods.defaultRuntime(state(i)));
                if (pods.exists(pod(i))) {
                    try {
                        pods.remove(pod(i));
                    } catch (RuntimeException e) {
                        cli.err.println("podnet demo cluster: removing pod " + pod(i) + ": " + e.getMessage());
                    }
                }
            }
        }
        List<String> names = new ArrayList<>(List.of("etcd"));
        for (int i = 1; i <= NODES; i++) {
            names.add("agent" + i);
        }
        for (String name : names) {
            Path pid = STATE.resolve(name + ".pid");
            try {
                if (Files.exists(pid)) {
                    ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(p -> {
                        p.destroy();
                        try {
                            p.onExit().get(10, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            p.destroyForcibly();
                        }
                    });
                }
            } catch (IOException | NumberFormatException e) {
                cli.err.println("podnet demo cluster: " + pid + ": " + e.getMessage());
            }
        }
        for (Process p : processes) {
            p.destroyForcibly();
        }
        List<String> namespaces = new ArrayList<>(List.of(FABRIC, ETCD));
        for (int i = 1; i <= NODES; i++) {
            namespaces.add(node(i));
        }
        for (String ns : namespaces) {
            try {
                NamedNetns.deleteIfExists(ns);
            } catch (RuntimeException e) {
                cli.err.println("podnet demo cluster: removing netns " + ns + ": " + e.getMessage());
            }
        }
        DirectoryTree.delete(STATE);
    }

    private void heading(String title) {
        step++;
        out.println();
        out.println("== " + step + ". " + title);
    }

    private void say(String text) {
        out.println("   " + text);
    }

}
