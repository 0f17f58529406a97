package podnet.node.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import podnet.node.policy.NetpolCases.Case;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import podnet.linux.conntrack.Conntrack;
import podnet.linux.conntrack.ConntrackEntry;
import podnet.linux.fs.DirectoryTree;
import podnet.linux.testing.Root;

/**
 * The upstream Netpol e2e truth table on one node: for each case the full 9x9 matrix on TCP and
 * UDP 80 and 81, measured with real connections through the kernel's table, must equal the
 * matrix the test's own {@link ReferenceNetpol} computes from the same manifests and labels.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetpolTruthTableTest implements NetpolCases.NetpolDriver {
    private NetpolPods world;
    private Path state;
    private Policies policies;
    private final ReferenceNetpol reference = new ReferenceNetpol();
    private final Map<String, Map<String, String>> nsLabels = new LinkedHashMap<>();

    @BeforeAll
    void world() throws Exception {
        Root.assume();
        state = Files.createTempDirectory("policy-truth-");
        world = new NetpolPods();
        policies = new Policies(state, world.node, world::views);
        reset();
    }

    @AfterAll
    void teardown() {
        if (world != null) {
            world.close();
        }
        if (state != null) {
            DirectoryTree.delete(state);
        }
    }

    @AfterEach
    void reset() {
        for (NetworkPolicy p : policies.store().list()) {
            policies.store().delete(p.namespace(), p.name());
        }
        reference.clear();
        for (NetpolPods.Pod p : world.pods) {
            p.labels.clear();
            p.labels.put("pod", p.name);
        }
        for (String ns : NetpolPods.NAMESPACES) {
            Map<String, String> l = new TreeMap<>(Map.of("ns", ns));
            policies.namespaces().label(ns, l, List.of("team"));
            l.put("kubernetes.io/metadata.name", ns);
            nsLabels.put(ns, l);
        }
        policies.sync();
    }

    static List<Case> cases() {
        return NetpolCases.all();
    }

    static String policy(String ns, String name, String spec) {
        return NetpolCases.policy(ns, name, spec);
    }

    @Override
    public void apply(String yaml) {
        String y = world.resolve(yaml);
        policies.apply(PolicyManifest.parse(y, "default", false));
        reference.apply(y);
    }

    @Override
    public void delete(String ns, String name) {
        assertThat(policies.delete(ns, name)).isTrue();
        reference.delete(ns, name);
    }

    @Override
    public void relabelPod(String key, String label, String value) {
        NetpolPods.Pod p = world.pod(key);
        if (value == null) {
            p.labels.remove(label);
        } else {
            p.labels.put(label, value);
        }
        policies.sync(); // what a pod relabel does
    }

    @Override
    public void labelNamespace(String ns, String label, String value) {
        policies.labelNamespace(ns, Map.of(label, value), List.of());
        nsLabels.get(ns).put(label, value);
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matrix(Case c) {
        for (Consumer<NetpolCases.NetpolDriver> step : c.steps()) {
            step.accept(this);
        }
        Map<String, Boolean> expected = NetpolCases.newExpected();
        List<String> wrong = NetpolCases.wrong(world, reference, nsLabels, expected);
        assertThat(wrong).as(c.name() + "\n" + NetpolCases.table(world, expected)).isEmpty();
    }

    @Order(2)
    @Test
    void aNewPolicyCutsTheConnectionsItForbids() throws Exception {
        NetpolPods.Pod a = world.pod("x/a"), b = world.pod("x/b");
        // Some policy already in force: conntrack runs in the node namespace only once a rule needs it
        // (before the first policy a flow has no entry, and its next packet after one is simply new).
        apply(NetpolCases.policy("z", "unrelated", "podSelector: {}"));
        try (DatagramChannel ch = b.netns.call(DatagramChannel::open)) {
            InetSocketAddress to = new InetSocketAddress(a.ip, 80);
            ch.socket().setSoTimeout(500);
            assertThat(exchange(ch, to)).as("before the policy").isTrue();
            int port = ch.socket().getLocalPort();
            assertThat(flow(b, a, port)).as("conntrack entry of the flow").isTrue();
            apply(NetpolCases.policy("x", "deny-all", "podSelector: {}"));
            assertThat(flow(b, a, port)).as("entry removed by the policy change").isFalse();
            assertThat(exchange(ch, to)).as("same socket, same 5-tuple, after the policy").isFalse();
        }
    }

    @Order(2)
    @Test
    void aCutTcpConnectionDoesNotComeBackThroughItsServerSide() throws Exception {
        NetpolPods.Pod a = world.pod("x/a"), b = world.pod("x/b");
        apply(NetpolCases.policy("z", "unrelated", "podSelector: {}"));
        try (ServerSocketChannel server = b.netns.call(ServerSocketChannel::open)) {
            server.bind(new InetSocketAddress(b.ip, 9000));
            try (SocketChannel client = a.netns.call(SocketChannel::open)) {
                client.connect(new InetSocketAddress(b.ip, 9000));
                try (SocketChannel accepted = server.accept()) {
                    assertThat(sendAndReceive(client, accepted, '1')).as("before the policy").isTrue();
                    // x/b admits nobody now: the connection a -> b is cut (its conntrack entry removed).
                    apply(NetpolCases.policy("x", "b-closed", """
                            podSelector: {matchLabels: {pod: b}}
                            policyTypes: [Ingress]
                            """));
                    assertThat(flow(a, b, client.socket().getLocalPort())).as("entry removed by the policy change").isFalse();
                    // The server speaks first: picked up mid-stream, that would make b the initiator
                    // and let a's packets pass as its replies. Neither way gets through.
                    assertThat(sendAndReceive(accepted, client, '2')).as("b -> a on the cut connection").isFalse();
                    assertThat(sendAndReceive(client, accepted, '3')).as("a -> b on the cut connection").isFalse();
                }
            }
        }
    }

    /** Writes {@code c} on {@code from}; whether {@code to} reads it within 1.5 s. */
    private static boolean sendAndReceive(SocketChannel from, SocketChannel to, char c) throws Exception {
        from.write(ByteBuffer.wrap(new byte[] {(byte) c}));
        to.socket().setSoTimeout(1500);
        try {
            return to.socket().getInputStream().read() == c;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    private boolean flow(NetpolPods.Pod src, NetpolPods.Pod dst, int srcPort) {
        try (Conntrack ct = Conntrack.open(world.node)) {
            for (ConntrackEntry e : ct.list()) {
                if (e.source().equals(src.ip) && e.destination().equals(dst.ip) && e.sourcePort() == srcPort) {
                    return true;
                }
            }
            return false;
        }
    }

    private static boolean exchange(DatagramChannel ch, InetSocketAddress to) throws Exception {
        ch.send(ByteBuffer.wrap(new byte[] {'p'}), to);
        try {
            ch.socket().receive(new DatagramPacket(new byte[16], 16));
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Order(3)
    @Test
    void theNodeAlwaysReachesItsPods() {
        for (String ns : NetpolPods.NAMESPACES) {
            apply(NetpolCases.policy(ns, "deny-both", """
                    podSelector: {}
                    policyTypes: [Ingress, Egress]
                    """));
        }
        for (NetpolPods.Pod p : world.pods) {
            SocketChannel ch = world.node.call(SocketChannel::open);
            assertThat(NetpolPods.tcp(ch, new InetSocketAddress(p.ip, 80))).as("node -> " + p.key()).isTrue();
        }
        world.measure().forEach((probe, reached) -> {
            String[] ends = probe.split(" ")[0].split("->");
            assertThat(reached).as(probe).isEqualTo(ends[0].equals(ends[1]));
        });
    }

    @Order(4)
    @Test
    void aNewPodIsCoveredWhenItsAddReturns() {
        apply(NetpolCases.policy("x", "deny-all", "podSelector: {}"));
        NetpolPods.Pod d = world.add("x", "d");
        policies.podAdded(d.view()); // what pod run does right after the CNI ADD
        SocketChannel ch = world.pod("y/a").netns.call(SocketChannel::open);
        assertThat(NetpolPods.tcp(ch, new InetSocketAddress(d.ip, 80))).as("y/a -> new pod x/d").isFalse();
        SocketChannel out = d.netns.call(SocketChannel::open);
        assertThat(NetpolPods.tcp(out, new InetSocketAddress(world.pod("y/a").ip, 80))).as("x/d -> y/a (egress open)").isTrue();
    }
}
