package podnet.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import podnet.linux.fs.DirectoryTree;
import podnet.linux.inet.Cidr;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;
import podnet.linux.packet.BackgroundCapture;
import podnet.linux.packet.CaptureLine;
import podnet.linux.sys.StopSignals;
import podnet.node.cri.CriPods;
import podnet.node.pod.PodRecord;
import podnet.node.pod.Pods;
import podnet.node.topo.HtmlRenderer;
import podnet.node.topo.NodeTables;
import podnet.node.topo.SvgRenderer;
import podnet.node.topo.TopologyReader;

/**
 * The steps of {@code podnet demo}. Each step prints a heading, then the podnet command that does
 * it (run in-process, exactly as typed) and its output. The node, the pods' state and their IPAM
 * leases all live under names and paths of the demo's own, so a user's own pods are untouched.
 */
final class Demo {
    static final String NODE = "podnet-demo";
    static final String NET_A = "podnet-demo-netA", NET_B = "podnet-demo-netB";
    static final Path STATE = Path.of("/run/podnet-demo");
    static final String POD1 = "busybox1", POD2 = "busybox2";

    private final Cli cli;
    private final PrintStream out;
    private final boolean host;
    private final Path outDir;
    /** --cri: the pods run on a private containerd's CRI (real pause and busybox containers). */
    private final boolean cri;
    private CriDemoNode criNode;
    private volatile boolean stopRequested;
    private boolean cleaning;
    private int step;
    private int failedStep;

    Demo(Cli cli, boolean host, Path outDir) {
        this(cli, host, outDir, false);
    }

    Demo(Cli cli, boolean host, Path outDir, boolean cri) {
        this.cli = cli;
        this.out = cli.out;
        this.host = host;
        this.outDir = outDir;
        this.cri = cri;
    }

    /** Global options that put pods on the demo's node with the demo's state. */
    private List<String> podOptions() {
        List<String> o = new ArrayList<>(List.of("--state-dir", STATE.toString()));
        if (!host) {
            o.addAll(List.of("--node-netns", NODE));
        }
        return o;
    }

    private List<String> nodeNetns() {
        return host ? List.of() : List.of("-n", NODE);
    }

    boolean run(boolean keep) {
        if (NamedNetns.exists(NODE) || NamedNetns.exists(NET_A) || Files.exists(STATE)) {
            cli.err.println("podnet demo: a previous demo is still there (kept with --keep, or interrupted).");
            cli.err.println("podnet demo: remove it with `podnet demo --clean`, then run the demo again.");
            return false;
        }
        boolean ok = false;
        Thread main = Thread.currentThread();
        // SIGINT/SIGTERM: stop where we are, then clean up as after a failure.
        StopSignals.Registration signals = StopSignals.install(() -> {
            if (!stopRequested) {
                stopRequested = true;
                main.interrupt();
            }
        });
        try {
            ok = steps();
        } catch (RuntimeException e) {
            failedStep = step;
            cli.err.println("podnet demo: step " + step + (stopRequested ? " stopped by a signal" : " failed: " + e.getMessage()));
        } finally {
            Thread.interrupted(); // a stop's interrupt must not break the cleanup's own waits
            cleaning = true;
            if (!keep) {
                heading("Clean up");
                clean();
                say("Removed the pods, the namespaces and the demo's state; the root namespace was never touched"
                        + (host ? " except for what --host asked for." : "."));
            } else {
                say("Kept everything. Look around (e.g. `podnet -n " + NODE + " link show`), then `podnet demo --clean`.");
            }
            signals.close();
        }
        out.println();
        out.println(ok ? "podnet demo: every step worked." : "podnet demo: FAILED at step " + failedStep + ".");
        return ok;
    }

    private boolean steps() {
        heading("Namespaces: every process sees the network through a network namespace");
        say("lsns for network namespaces. Each container runtime's pod gets one of its own.");
        podnet("ns", "list", "-t", "net");

        heading("Two network namespaces joined by a veth pair");
        say("A veth pair is a cable: what goes in one end comes out of the other. One end in each namespace.");
        podnet("netns", "add", NET_A);
        podnet("netns", "add", NET_B);
        podnet("veth", "add", "veth0A", "veth0B", "--netns-a", NET_A, "--netns-b", NET_B);
        podnet("addr", "add", "192.168.100.1/24", "dev", "veth0A", "-n", NET_A);
        podnet("addr", "add", "192.168.100.2/24", "dev", "veth0B", "-n", NET_B);
        podnet("link", "set", "veth0A", "up", "-n", NET_A);
        podnet("link", "set", "veth0B", "up", "-n", NET_B);
        podnet("link", "show", "-n", NET_A);
        ping(Netns.named(NET_A), List.of("netns", "exec", NET_A, "--"), "192.168.100.2");

        heading("The node: a namespace standing in for the host, where cni0 will live");
        if (host) {
            say("--host: the real host is the node.");
        } else {
            say("So that nothing on this machine changes, the node is the namespace " + NODE + ".");
            podnet("netns", "add", NODE);
            podnet("link", "set", "lo", "up", "-n", NODE);
        }

        if (cri) {
            containerdSteps();
            heading("Two pods, busybox1 and busybox2, on containerd's CRI, attached by podnet's CNI bridge plugin");
            say("RunPodSandbox: containerd makes the pod's netns, starts podnet's pause container in it (the holder of the");
            say("pod's namespaces, as in the article) and runs the CNI chain bridge -> portmap -> loopback; then the busybox");
            say("container joins the sandbox. eth0 = one end of a veth, the other end enslaved to cni0 (10.244.2.1/24).");
            for (String pod : List.of(POD1, POD2)) {
                podnet("--state-dir", STATE.toString(), "pod", "run", pod, "--runtime", "cri", "--cri-socket",
                        CriDemoNode.socket().toString(), "--cgroup-parent", CriDemoNode.CGROUP, "--", "sleep", "3600");
            }
            awaitCriPodsRunning();
        } else {
            heading("Two pods, busybox1 and busybox2, attached by podnet's CNI bridge plugin");
            say("Each pod: a sandbox holding its net/uts/ipc namespaces, eth0 = one end of a veth, the other end");
            say("enslaved to cni0 (created on first use, gateway 10.244.2.1/24), an address from host-local IPAM.");
            podnet(concat(podOptions(), List.of("pod", "run", POD1, "--", "sleep", "3600")));
            podnet(concat(podOptions(), List.of("pod", "run", POD2, "--", "sleep", "3600")));
        }
        podnet(concat(podOptions(), List.of("pod", "list", "-o", "wide")));
        if (cri) {
            say("lsns again: each pod's network namespace is held by its /pause (and shared with its busybox):");
            ByteArrayOutputStream listing = new ByteArrayOutputStream();
            PrintStream tee = new PrintStream(listing, true, StandardCharsets.UTF_8);
            podnet(tee, List.of("ns", "list", "-t", "net"));
            String text = listing.toString(StandardCharsets.UTF_8);
            out.print(text);
            if (text.lines().filter(l -> l.endsWith("/pause")).count() < 2) {
                throw new IllegalStateException("ns list shows no /pause for each pod");
            }
        }
        podnet(concat(nodeNetns(), List.of("link", "show", "cni0")));
        podnet(concat(nodeNetns(), List.of("bridge", "show")));

        heading("busybox1 pings busybox2, and we watch cni0");
        if (cri) {
            criPing();
        } else {
            processPing();
        }

        heading("The picture");
        podnet(concat(nodeNetns(), List.of("topo")));
        writePictures(host ? Netns.CURRENT : Netns.named(NODE));
        return true;
    }

    private void processPing() {
        Pods pods = new Pods(STATE, () -> Pods.defaultRuntime(STATE));
        PodRecord p1 = pods.require(POD1);
        PodRecord p2 = pods.require(POD2);
        String ip2 = stripPrefix(p2.ip());
        say("1. busybox1 sends to " + ip2 + " (on-link: same /24) and ARPs for its MAC; the bridge floods the request.");
        say("2. busybox2 answers; the bridge has learned both MACs on their ports (the FDB).");
        say("3. The echo request crosses veth -> cni0 -> veth; 4. the reply comes back the same way.");
        Netns node = host ? Netns.CURRENT : Netns.named(NODE);
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        ZoneId zone = ZoneId.systemDefault();
        try (BackgroundCapture capture = BackgroundCapture.start(node, "cni0", "demo-capture",
                p -> seen.add(CaptureLine.format(p, zone, false)))) {
            List<String> exec = List.of("pod", "exec", POD1, "--");
            ping(Netns.ofPath(pods.sandbox(p1).nsFiles().get(0)), concat(List.of("--state-dir", STATE.toString()), exec), ip2);
            sleep(300);
        }
        out.println("$ podnet" + (host ? "" : " -n " + NODE) + " capture -i cni0      # what crossed the bridge");
        seen.forEach(out::println);
        if (seen.stream().noneMatch(l -> l.contains("ARP")) && seen.stream().noneMatch(l -> l.contains("ICMP echo"))) {
            throw new IllegalStateException("no ARP or ICMP was seen on cni0");
        }
        podnet(concat(nodeNetns(), List.of("bridge", "fdb", "cni0")));
        say("busybox1's ARP table now holds busybox2's MAC:");
        podnet("neigh", "-n", p1.netns());
    }

    /** The ping from inside busybox1's container (busybox's ping, through CRI's ExecSync), cni0 captured. */
    private void criPing() {
        String ip2 = criPodIp(POD2);
        say("1. busybox1 sends to " + ip2 + " (on-link: same /24) and ARPs for its MAC; the bridge floods the request.");
        say("2. busybox2 answers; the bridge has learned both MACs on their ports (the FDB).");
        say("3. The echo request crosses veth -> cni0 -> veth; 4. the reply comes back the same way.");
        Netns node = Netns.named(NODE);
        List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        ZoneId zone = ZoneId.systemDefault();
        try (BackgroundCapture capture = BackgroundCapture.start(node, "cni0", "demo-capture",
                p -> seen.add(CaptureLine.format(p, zone, false)))) {
            podnet("--state-dir", STATE.toString(), "pod", "exec", POD1, "--", "ping", "-c", "2", "-W", "2", ip2);
            sleep(300);
        }
        out.println("$ podnet -n " + NODE + " capture -i cni0      # what crossed the bridge");
        seen.forEach(out::println);
        if (seen.stream().noneMatch(l -> l.contains("ICMP echo"))) {
            throw new IllegalStateException("no ICMP was seen on cni0");
        }
        podnet(concat(nodeNetns(), List.of("bridge", "fdb", "cni0")));
        say("busybox1's ARP table (the kernel's, read inside its container) now holds busybox2's MAC:");
        podnet("--state-dir", STATE.toString(), "pod", "exec", POD1, "--", "cat", "/proc/net/arp");
    }

    /** containerd with its CRI plugin on the node, podnet's plugins for it, the images in its store. */
    private void containerdSteps() {
        heading("containerd on the node: the kubelet's runtime, speaking CRI");
        say("A kubelet never calls CNI itself: it asks the runtime over CRI (RunPodSandbox), and containerd's CRI plugin");
        say("makes the pod's netns, starts the pause container and runs the CNI plugins of its config. Here a private");
        say("containerd does that in " + NODE + ", everything of it under " + CriDemoNode.DIR + ".");
        criNode = new CriDemoNode();
        out.println("$ (podnet cni install, with host-local's leases in the demo's state)");
        ByteArrayOutputStream installLog = new ByteArrayOutputStream();
        for (Path p : criNode.installPlugins(new PrintStream(installLog, true, StandardCharsets.UTF_8))) {
            out.println("wrote " + p);
        }
        criNode.startPodnetd(new PrintStream(OutputStream.nullOutputStream()));
        say("podnetd, the agent behind podnet's exec shims, serves them from this demo on " + CriDemoNode.PODNETD + ".");
        Path config = CriDemoNode.CONTAINERD.resolve("config.toml");
        podnet("cri", "config", "--private", CriDemoNode.CONTAINERD.toString(), "--cni-bin-dir", CriDemoNode.BIN.toString(),
                "--cni-conf-dir", CriDemoNode.CONF.toString(), "-o", config.toString());
        try {
            Files.readAllLines(config).stream().filter(l -> l.contains("sandbox_image") || l.contains("bin_dir")
                    || l.contains("conf_dir") || l.strip().startsWith("address")).forEach(l -> out.println("   " + l.strip()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.println("$ setsid containerd --config " + config + "      # in " + NODE);
        var containerd = criNode.startContainerd(Netns.named(NODE));
        var v = containerd.cri().version();
        say(v.getRuntimeName() + " " + v.getRuntimeVersion() + " (pid " + containerd.pid() + ") answers CRI "
                + v.getRuntimeApiVersion() + " on " + containerd.socket());
        say("No registry here: podnet builds its pause and busybox images and writes them into containerd's store.");
        podnet("image", "import", "--cri-socket", containerd.socket().toString());
    }

    private void awaitCriPodsRunning() {
        CriPods pods = new CriPods(STATE);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (pods.list(NODE).stream().anyMatch(p -> !p.status().equals("Running"))) {
            if (System.nanoTime() > deadline || stopRequested) {
                throw new IllegalStateException("the pods are not running: " + pods.list(NODE));
            }
            sleep(100);
        }
    }

    private String criPodIp(String pod) {
        return new CriPods(STATE).list(NODE).stream().filter(p -> p.name().equals(pod)).findFirst()
                .map(p -> p.ipText()).orElseThrow(() -> new IllegalStateException("no pod " + pod));
    }

    private void writePictures(Netns node) {
        try {
            Files.createDirectories(outDir);
            var topology = TopologyReader.read(node);
            Path svg = outDir.resolve("podnet-demo-topology.svg");
            Path html = outDir.resolve("podnet-demo-topology.html");
            Files.writeString(svg, SvgRenderer.render(topology), StandardCharsets.UTF_8);
            Files.writeString(html, HtmlRenderer.render(topology, NodeTables.read(node)), StandardCharsets.UTF_8);
            say("Wrote " + svg + " and " + html + " (open the .html in a browser).");
        } catch (IOException e) {
            throw new UncheckedIOException("write the topology picture", e);
        }
    }

    /** ping with the system's ping when there is one, else an ICMP echo from Java inside the namespace. */
    private void ping(Netns from, List<String> execPrefix, String ip) {
        if (podnet.linux.fs.SearchPath.find("ping").isPresent()) {
            podnet(concat(execPrefix, List.of("ping", "-c", "2", "-i", "0.3", "-W", "2", ip)));
            return;
        }
        out.println("$ (no ping on this machine: podnet sends an ICMP echo to " + ip + " itself)");
        boolean reached = from.call(() -> InetAddress.getByAddress(Cidr.parseAddress(ip).getAddress()).isReachable(2000));
        out.println(reached ? ip + " answered" : ip + " did not answer");
        if (!reached) {
            throw new IllegalStateException("no answer from " + ip);
        }
    }

    /** Runs one podnet command in-process, echoing it like a shell transcript; fails the step on a non-zero exit. */
    private void podnet(String... args) {
        podnet(List.of(args));
    }

    private void podnet(List<String> args) {
        podnet(out, args);
    }

    /** Runs one podnet command, its output to {@code to}, the transcript line to the demo's output. */
    private void podnet(PrintStream to, List<String> args) {
        if (stopRequested && !cleaning) {
            throw new IllegalStateException("stopped");
        }
        out.println("$ podnet " + String.join(" ", args));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        // No runtime handed down: each command makes its own for the --state-dir it was given,
        // so the demo's CNI result cache lives (and goes) with the demo's state.
        Cli inner = new Cli(to, errStream, Map.of(), null);
        int rc = Main.run(inner, args.toArray(String[]::new));
        String e = err.toString(StandardCharsets.UTF_8);
        if (!e.isBlank()) {
            out.print(e);
        }
        if (rc != 0) {
            throw new IllegalStateException("`podnet " + String.join(" ", args) + "` exited " + rc);
        }
    }

    /** Removes everything the demo makes; safe to run any number of times. */
    void clean() {
        if (Files.exists(STATE)) {
            Pods pods = new Pods(STATE, () -> Pods.defaultRuntime(STATE));
            CriPods criPods = new CriPods(STATE);
            for (String pod : List.of(POD1, POD2)) {
                try {
                    if (criPods.isCri(pod)) {
                        criPods.remove(pod).forEach(p -> cli.err.println("podnet demo: removing pod " + pod + ": " + p));
                    } else if (pods.exists(pod)) {
                        pods.remove(pod);
                    }
                } catch (RuntimeException e) {
                    cli.err.println("podnet demo: removing pod " + pod + ": " + e.getMessage());
                }
            }
        }
        try {
            if (criNode != null) {
                criNode.close();
                criNode = null;
            } else if (Files.exists(CriDemoNode.DIR)) {
                CriDemoNode.cleanUp(); // a kept --cri demo
            }
        } catch (RuntimeException e) {
            cli.err.println("podnet demo: removing containerd: " + e.getMessage());
        }
        for (String ns : List.of(NET_A, NET_B, NODE)) {
            try {
                NamedNetns.deleteIfExists(ns);
            } catch (RuntimeException e) {
                cli.err.println("podnet demo: removing netns " + ns + ": " + e.getMessage());
            }
        }
        DirectoryTree.delete(STATE);
    }

    private void heading(String title) {
        if (stopRequested && !cleaning) {
            throw new IllegalStateException("stopped");
        }
        step++;
        out.println();
        out.println("== " + step + ". " + title);
    }

    private void say(String text) {
        out.println("   " + text);
    }

    private static String stripPrefix(String cidr) {
        int slash = cidr.indexOf('/');
        return slash < 0 ? cidr : cidr.substring(0, slash);
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
