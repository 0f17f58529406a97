package podnet.node.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Route;
import podnet.linux.ns.Netns;
import podnet.linux.sysctl.Sysctl;
import podnet.linux.testing.BridgeNode;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;
import podnet.node.policy.Policies;
import podnet.node.policy.PolicyDecision;
import podnet.node.policy.PolicyManifest;
import podnet.node.policy.PolicyPod;

/**
 * The observer on a real node made of throwaway namespaces (cni0 and two pods): known
 * exchanges are counted exactly, and faults injected on the path come back as DROPPED with the
 * kernel's reason on the right device.
 */
class ObserverTest {
    private TestNetns ns;
    private BridgeNode node;
    private Observer observer;

    @BeforeEach
    void setUp() {
        Root.assume();
        ns = new TestNetns("observe");
        node = BridgeNode.create(ns, 2);
        observer = Observer.start(Observer.Options.of(node.node, null));
    }

    @AfterEach
    void tearDown() {
        try {
            if (observer != null) {
                observer.close();
            }
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
    }

    private String pod(int i) {
        return node.pods.get(i).netns().name();
    }

    @Test
    void aPingIsCountedExactlyBothWaysAndForwarded() {
        assertThat(Ip.ping(pod(0), "10.244.2.3", 5)).isTrue();
        FlowRecord f = await(r -> r.protocol().equals("icmp") && r.replied().packets() == 5);
        assertThat(f.sourceText()).isEqualTo("10.244.2.2");
        assertThat(f.destinationText()).isEqualTo("10.244.2.3");
        assertThat(f.sent()).isEqualTo(new FlowRecord.Direction(5, 5 * 98, ""));
        assertThat(f.replied()).isEqualTo(new FlowRecord.Direction(5, 5 * 98, ""));
        assertThat(f.verdict()).as(f.verdictText()).isEqualTo(Verdict.FORWARDED);
        assertThat(f.hops()).contains(node.pods.get(0).hostVeth(), node.pods.get(1).hostVeth());
        assertThat(f.sourcePod()).isEqualTo(pod(0));
        assertThat(f.destinationPod()).isEqualTo(pod(1));
        assertThat(f.firstSeen()).isBeforeOrEqualTo(f.lastSeen());
        FlowRecord arp = await(r -> r.protocol().equals("arp"));
        assertThat(arp.sent().packets()).isPositive();
        assertThat(observer.stats().ringDrops()).isZero();
    }

    @Test
    void udpAndTcpExchangesAreCountedWithTheirFlags() throws Exception {
        Netns a = node.pods.get(0).netns(), b = node.pods.get(1).netns();
        try (DatagramSocket server = b.call(() -> new DatagramSocket(new InetSocketAddress("10.244.2.3", 9000)));
                DatagramSocket client = a.call(() -> new DatagramSocket(new InetSocketAddress("10.244.2.2", 0)))) {
            server.setSoTimeout(3000);
            for (int i = 0; i < 3; i++) {
                client.send(new DatagramPacket(new byte[100], 100, InetAddress.getByName("10.244.2.3"), 9000));
            }
            DatagramPacket in = new DatagramPacket(new byte[200], 200);
            for (int i = 0; i < 3; i++) {
                server.receive(in);
            }
            server.send(new DatagramPacket(new byte[10], 10, in.getSocketAddress()));
            FlowRecord u = await(r -> r.protocol().equals("udp") && r.replied().packets() == 1);
            assertThat(u.destinationText()).isEqualTo("10.244.2.3:9000");
            assertThat(u.sent()).isEqualTo(new FlowRecord.Direction(3, 3 * (14 + 20 + 8 + 100), ""));
            assertThat(u.replied()).isEqualTo(new FlowRecord.Direction(1, 14 + 20 + 8 + 10, ""));
            assertThat(u.verdict()).isEqualTo(Verdict.FORWARDED);
        }
        try (ServerSocket listen = b.call(() -> new ServerSocket(8080, 1, InetAddress.getByName("10.244.2.3")))) {
            listen.setSoTimeout(5000);
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
                try (Socket s = listen.accept(); InputStream in = s.getInputStream()) {
                    return in.readAllBytes().length;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            a.run(() -> { // the socket is made at connect: connect inside the pod's namespace
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("10.244.2.3", 8080), 3000);
                    try (OutputStream out = s.getOutputStream()) {
                        out.write(new byte[1000]);
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(read.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1000);
        }
        FlowRecord t = await(r -> r.protocol().equals("tcp") && r.replied().tcpFlags().contains("FIN")
                && r.sent().tcpFlags().contains("FIN"));
        assertThat(t.destinationPort()).isEqualTo(8080);
        assertThat(t.sent().tcpFlags()).isEqualTo("SYN,FIN,PSH,ACK");
        assertThat(t.replied().tcpFlags()).isEqualTo("SYN,FIN,ACK");
        assertThat(t.sent().bytes()).isGreaterThan(1000);
        assertThat(t.verdict()).isEqualTo(Verdict.FORWARDED);
    }

    @Test
    void anNftDropRuleInThePodIsDroppedWithNetfilterDropAfterItsVeth() {
        assertThat(observer.dropsUnavailable()).isEmpty();
        Ip.run("ip", "netns", "exec", pod(1), "nft", "add table inet t; add chain inet t input { type filter hook input priority 0; };"
                + " add rule inet t input icmp type echo-request drop").ok();
        assertThat(Ip.ping(pod(0), "10.244.2.3", 1)).isFalse();
        FlowRecord f = await(r -> r.protocol().equals("icmp") && r.verdict() == Verdict.DROPPED);
        assertThat(f.dropReason()).isEqualTo("NETFILTER_DROP");
        assertThat(f.dropFunction()).isEqualTo("nft_do_chain");
        assertThat(f.droppedAfter()).isEqualTo(node.pods.get(1).hostVeth());
        assertThat(f.verdictText()).isEqualTo("DROPPED (NETFILTER_DROP in nft_do_chain, after " + node.pods.get(1).hostVeth() + ")");
        assertThat(f.replied().packets()).isZero();
    }

    @Test
    void aMissingRouteOnTheNodeIsDroppedWithIpInNoRoutesAtTheBridge() {
        Sysctl.set(node.node, "net.ipv4.ip_forward", "1");
        try (NetlinkHandle h = NetlinkHandle.open(node.pods.get(0).netns())) {
            h.routes().add(Route.of(null, Cidr.parseAddress("10.244.2.1"), h.links().require("eth0").index()));
        }
        assertThat(Ip.ping(pod(0), "10.99.0.1", 1)).isFalse();
        FlowRecord f = await(r -> r.protocol().equals("icmp") && r.verdict() == Verdict.DROPPED && r.error() != null);
        assertThat(f.destinationText()).isEqualTo("10.99.0.1");
        assertThat(f.dropReason()).isEqualTo("IP_INNOROUTES");
        assertThat(f.dropFunction()).isEqualTo("ip_error");
        assertThat(f.droppedAfter()).isEqualTo("cni0");
        assertThat(f.error()).isEqualTo("ICMP net unreachable from 10.244.2.1");
    }

    @Test
    void aDeadNeighbourIsDroppedWithNeighFailedWhereTheAskerIs() {
        Netns asker = node.pods.get(0).netns();
        Sysctl.set(asker, "net.ipv4.neigh.eth0.mcast_solicit", "1");
        Sysctl.set(asker, "net.ipv4.neigh.eth0.retrans_time_ms", "200");
        assertThat(Ip.ping(pod(0), "10.244.2.99", 1)).isFalse();
        FlowRecord f = await(r -> r.protocol().equals("arp") && r.destination().equals("10.244.2.99")
                && r.verdict() == Verdict.DROPPED);
        assertThat(f.dropReason()).isEqualTo("NEIGH_FAILED");
        assertThat(f.dropFunction()).isEqualTo("neigh_invalidate");
        assertThat(f.droppedAfter()).isEqualTo(node.pods.get(0).hostVeth());
        assertThat(f.replied().packets()).isZero();
        assertThat(observer.flows(100)).noneMatch(r -> r.protocol().equals("icmp")); // the echo never left the pod
    }

    /**
     * In NetworkPolicy a packet is dropped because no policy allows it: the flow is named with
     * every policy isolating the dropping side, the same list {@code policy explain} gives.
     */
    @Test
    void aPolicyDropNamesThePoliciesIsolatingTheSideExplainNames(@TempDir Path state) {
        List<PolicyPod> pods = List.of(new PolicyPod("x", "a", Map.of("pod", "a"), Cidr.parseAddress("10.244.2.2"), List.of()),
                new PolicyPod("x", "b", Map.of("pod", "b"), Cidr.parseAddress("10.244.2.3"), List.of()));
        Policies policies = new Policies(state, node.node, () -> pods);
        policies.apply(PolicyManifest.parse("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: deny-all, namespace: x}
                spec: {podSelector: {}, policyTypes: [Ingress]}
                ---
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: b-from-c, namespace: x}
                spec:
                  podSelector: {matchLabels: {pod: b}}
                  ingress: [{from: [{podSelector: {matchLabels: {pod: c}}}]}]
                """, "default", false));
        assertThat(Ip.ping(pod(0), "10.244.2.3", 1)).isFalse();
        FlowRecord f = await(r -> r.protocol().equals("icmp") && r.verdict() == Verdict.DROPPED && !r.dropPolicies().isEmpty());
        PolicyDecision why = policies.explain(Cidr.parseAddress("10.244.2.2"), Cidr.parseAddress("10.244.2.3"), 1, 0);
        assertThat(why.allowed()).isFalse();
        assertThat(f.dropPolicies()).containsExactlyElementsOf(why.ingressSelecting()).containsExactlyInAnyOrder("x/deny-all", "x/b-from-c");
        assertThat(f.dropDirection()).isEqualTo("ingress");
        assertThat(f.verdictText()).startsWith("DROPPED by policies " + String.join(", ", why.ingressSelecting()) + " (ingress, ");
        assertThat(f.toJson().get("drop")).asString().contains("policies=[" + String.join(", ", why.ingressSelecting()) + "]");

        // Egress is checked first: a's own isolation drops it before b's is asked.
        policies.apply(PolicyManifest.parse("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: a-no-egress, namespace: x}
                spec: {podSelector: {matchLabels: {pod: a}}, policyTypes: [Egress]}
                """, "default", false));
        assertThat(Ip.ping(pod(0), "10.244.2.3", 1)).isFalse();
        FlowRecord e = await(r -> r.protocol().equals("icmp") && "egress".equals(r.dropDirection()));
        assertThat(e.dropPolicies()).containsExactly("x/a-no-egress");
        assertThat(e.verdictText()).startsWith("DROPPED by policy x/a-no-egress (egress, ");
        assertThat(policies.explain(Cidr.parseAddress("10.244.2.2"), Cidr.parseAddress("10.244.2.3"), 1, 0).egressSelecting())
                .containsExactly("x/a-no-egress");
    }

    private FlowRecord await(Predicate<FlowRecord> p) {
        long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        List<FlowRecord> last = List.of();
        while (System.nanoTime() < until) {
            last = observer.flows(100);
            Optional<FlowRecord> hit = last.stream().filter(p).findFirst();
            if (hit.isPresent()) {
                return hit.get();
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        throw new AssertionError("no such flow among " + last + "; " + observer.stats());
    }
}
