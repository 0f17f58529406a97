package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.node.cluster.SubnetEnv;
import podnet.node.testing.ClusterFabric;

/**
 * {@code podnet node run|list|leave} as a user runs them: agents as processes acting for node
 * namespaces (--node-netns), pods made with plain {@code podnet pod run} that pick the node's
 * subnet up from the agent's hand-over, SIGKILL and restart without disturbance, leave, SIGTERM
 * and a SIGINT that arrived ignored; bad flags are exit 2 with a hint.
 */
class ClusterCliTest {
    ClusterFabric f;
    final List<Process> agents = new ArrayList<>();
    final List<String[]> pods = new ArrayList<>(); // state dir, node netns, pod
    final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));

    @AfterEach
    void tearDown() {
        try {
            for (Process p : agents) {
                p.destroyForcibly();
            }
            for (String[] p : pods) {
                new Podnet().stateDir(Path.of(p[0])).nodeNetns(p[1]).run("pod", "rm", p[2]);
            }
        } finally {
            if (f != null) {
                f.close();
            }
        }
    }

    @Test
    void badFlagsAreExitTwoWithAHintAndChangeNothing() throws IOException {
        Path state = Files.createTempDirectory("podnet-cluster-flags-");
        Files.delete(state);
        Podnet podnet = new Podnet().stateDir(state);
        String etcd = "--etcd-endpoints=http://192.0.2.1:2379";
        List<List<String>> bad = List.of(
                List.of("node", "run", "--backend", "vxlan", etcd),                                          // no --network
                List.of("node", "run", "--network", "10.244.0.0/16", "--backend", "geneve", etcd),
                List.of("node", "run", "--network", "10.244.0.0/33", "--backend", "vxlan", etcd),
                List.of("node", "run", "--network", "10.244.1.0/16", "--backend", "vxlan", etcd),
                List.of("node", "run", "--network", "10.244.0.0/16", "--backend", "vxlan", "--etcd-endpoints", "https://10.0.0.2:2379"),
                List.of("node", "run", "--network", "10.244.0.0/16", "--backend", "vxlan", etcd, "--kube"),
                List.of("node", "run", "--network", "10.244.0.0/16", "--backend", "vxlan"),                   // no registry
                List.of("node", "run", "--network", "10.244.0.0/16", "--backend", "vxlan", etcd, "--etcd-prefix", "x/"),
                List.of("node", "run", "--network", "10.244.0.0/16", "--backend", "vxlan", "--kube", "--kubeconfig", "/nonexistent"),
                List.of("--node-netns", "podnet-no-such-node-" + tag, "node", "run", "--network", "10.244.0.0/16", "--backend", "vxlan", etcd));
        for (List<String> args : bad) {
            Podnet.Result r = podnet.run(args.toArray(String[]::new));
            assertThat(r.exit()).as("%s\n%s", args, r.err()).isEqualTo(2);
            assertThat(r.err()).as("%s", args).startsWith("podnet: ").contains("\npodnet: hint: ");
        }
        assertThat(state).as("nothing written").doesNotExist();
        Podnet.Result list = podnet.run("node", "list");
        assertThat(list.exit()).isEqualTo(1);
        assertThat(list.err()).contains("no node agent has run with state dir").contains("podnet: hint:");
    }

    private Process agent(ClusterFabric.Node n, boolean interruptIgnored) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "podnet.cli.Main",
                "--node-netns", n.netns().name(), "--state-dir", n.stateDir().toString(), "node", "run",
                "--network", ClusterFabric.NETWORK, "--backend", "vxlan", "--iface", "eth0", "--node-name", n.name(),
                "--etcd-endpoints", f.etcd().endpoint()));
        if (interruptIgnored) {
            // As a background job of a script starts it: SIGINT ignored.
            cmd.addAll(0, List.of("sh", "-c", "trap '' INT; exec \"$@\"", "sh"));
        }
        Path log = f.root().resolve(n.name() + "-agent.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        agents.add(p);
        return p;
    }

    private String log(ClusterFabric.Node n) {
        try {
            return Files.readString(f.root().resolve(n.name() + "-agent.log"));
        } catch (IOException e) {
            return "";
        }
    }

    private void awaitLog(ClusterFabric.Node n, String text, int times) {
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(30),
                () -> log(n).split(java.util.regex.Pattern.quote(text), -1).length - 1 >= times))
                .as("%s says \"%s\" %d times:\n%s", n.name(), text, times, log(n)).isTrue();
    }

    private String pod(ClusterFabric.Node n, String name) {
        f.namespaces.track("podnet-" + name);
        pods.add(new String[] {n.stateDir().toString(), n.netns().name(), name});
        Podnet.Result r = new Podnet().stateDir(n.stateDir()).nodeNetns(n.netns().name())
                .run("-j", "pod", "run", name, "--", "sleep", "3600").ok();
        String ip = (String) r.jsonObject().get("ip");
        return ip.substring(0, ip.indexOf('/'));
    }

    private static boolean ping(String pod, String ip) {
        return Ip.ping("podnet-" + pod, ip, 2);
    }

    @Test
    void agentsAsProcessesSurviveKillsRestartsAndLeaves() throws Exception {
        Root.assumeProgram("ping");
        f = ClusterFabric.flat("clcli", 3);
        ClusterFabric.Node n1 = f.node(1), n2 = f.node(2), n3 = f.node(3);
        Process a1 = agent(n1, true);
        Process a2 = agent(n2, false);
        Process a3 = agent(n3, false);
        for (ClusterFabric.Node n : f.nodes()) {
            awaitLog(n, "joined: subnet", 1);
        }
        String p1 = "k" + tag + "a", p2 = "k" + tag + "b", p3 = "k" + tag + "c";
        String ip1 = pod(n1, p1), ip2 = pod(n2, p2), ip3 = pod(n3, p3);
        // pod run took the node's subnet from the agent's hand-over, with no flag for it.
        assertThat(ip3).startsWith(SubnetEnv.read(n3.stateDir()).orElseThrow().subnet().address().getHostAddress()
                .replaceAll("0$", ""));
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(10), () -> ping(p1, ip3))).as(f.logs()).isTrue();
        assertThat(ping(p3, ip1)).isTrue();

        List<Map<String, Object>> nodes = new Podnet().stateDir(n1.stateDir()).run("-j", "node", "list").ok().jsonList();
        assertThat(nodes).hasSize(3);
        assertThat(nodes.get(0)).containsEntry("name", "node1").containsEntry("self", true).containsEntry("backend", "vxlan");
        assertThat(nodes).extracting(m -> m.get("publicIp")).containsExactlyInAnyOrder(n1.ip(), n2.ip(), n3.ip());
        assertThat(nodes).allSatisfy(m -> assertThat(m.get("vtepMac")).isNotNull().isNotEqualTo(""));
        String table = new Podnet().stateDir(n1.stateDir()).run("node", "list").ok().out();
        assertThat(table).startsWith("NAME").contains("SUBNET").contains("VTEP-MAC").contains("EXPIRES").contains("(this node)")
                .contains("23h");

        // SIGKILL: the kernel keeps forwarding; a restart takes the same subnet and drops nothing.
        String subnet2 = SubnetEnv.read(n2.stateDir()).orElseThrow().subnet().toString();
        a2.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        assertThat(ping(p1, ip2)).as("traffic with node 2's agent killed").isTrue();
        Process pinging = new ProcessBuilder("ip", "netns", "exec", "podnet-" + p1, "ping", "-c", "30", "-i", "0.1", "-W", "1", ip2)
                .redirectErrorStream(true).start();
        try {
            a2 = agent(n2, false);
            awaitLog(n2, "joined: subnet " + subnet2, 1);
            assertThat(pinging.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(pinging.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("30 received");
        } finally {
            pinging.destroyForcibly();
        }

        // leave: stops node 3's agent (SIGTERM, a clean stop), gives the subnet back, peers drop it.
        String subnet3 = SubnetEnv.read(n3.stateDir()).orElseThrow().subnet().toString();
        Podnet.Result left = new Podnet().stateDir(n3.stateDir()).run("node", "leave").ok();
        assertThat(left.out()).contains("node node3 left: subnet " + subnet3 + " given back");
        assertThat(a3.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(log(n3)).contains("stopped (the data path stays as it is)");
        assertThat(ClusterFabric.eventually(Duration.ofSeconds(10), () -> Ip.json(n1.netns().name(), "route", "show", "dev", "flannel.1")
                .stream().noneMatch(r -> subnet3.equals(r.get("dst"))))).as(log(n1)).isTrue();
        assertThat(f.etcd().etcdctl("get", "--prefix", "/coreos.com/network/subnets/", "--keys-only"))
                .doesNotContain(subnet3.replace("/", "-"));
        assertThat(ping(p1, ip2)).isTrue();

        // SIGINT to an agent that started with it ignored, and SIGTERM: both stop cleanly.
        new ProcessBuilder("kill", "-INT", Long.toString(a1.pid())).start().waitFor();
        assertThat(a1.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(a1.exitValue()).as("a clean stop, as capture, trace and podnetd").isZero();
        a2.destroy();
        assertThat(a2.waitFor(15, TimeUnit.SECONDS)).isTrue();
        assertThat(log(n1)).contains("node1: stopped");
        assertThat(log(n2)).contains("node2: stopped");
        assertThat(ping(p1, ip2)).as("the data path outlives the agents").isTrue();
    }
}
