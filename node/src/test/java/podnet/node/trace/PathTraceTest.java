package podnet.node.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.sysctl.Sysctl;
import podnet.linux.testing.BridgeNode;
import podnet.linux.testing.Ip;
import podnet.linux.testing.ThrowawayNamespaces;
import podnet.node.policy.Policies;
import podnet.node.policy.PolicyManifest;
import podnet.node.policy.PolicyPod;

/**
 * The article's four steps generated from real packets, and the path broken on purpose: each
 * break must be named at the right hop.
 */
class PathTraceTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("trace");
    BridgeNode node;
    Endpoint a, b;

    @BeforeEach
    void setUp() {
        node = namespaces.bridgeNode(2);
        a = Endpoints.resolve(node.pods.get(0).netns().name(), null, node.node);
        b = Endpoints.resolve(node.pods.get(1).netns().name(), null, node.node);
    }

    private String print(TraceResult r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TraceReport.print(r, new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void endpointsResolveToTheirHostVethsAndBridge() {
        assertThat(a.hostVeth()).isEqualTo(node.pods.get(0).hostVeth());
        assertThat(b.bridge()).isEqualTo("cni0");
        assertThat(Cidr.text(b.ip())).isEqualTo("10.244.2.3");
        assertThat(PathTracer.hops(a, b)).extracting(Hop::device)
                .containsExactly("eth0", a.hostVeth(), "cni0", b.hostVeth(), "eth0");
    }

    @Test
    void netnsSlashIpIsNotMistakenForAPodName(@org.junit.jupiter.api.io.TempDir java.nio.file.Path state) {
        // With a pod store at hand (as the CLI has), NETNS/IP must still resolve as a namespace.
        var pods = new podnet.node.pod.Pods(state, () -> {
            throw new AssertionError("no CNI call expected");
        });
        String spec = node.pods.get(1).netns().name() + "/10.244.2.3";
        Endpoint e = Endpoints.resolve(spec, pods, node.node);
        assertThat(Cidr.text(e.ip())).isEqualTo("10.244.2.3");
        assertThat(e.hostVeth()).isEqualTo(node.pods.get(1).hostVeth());
        assertThat(pods.exists(spec)).isFalse();
    }

    @Test
    void workingPathShowsTheArticlesFourSteps() {
        TraceResult r = PathTracer.trace(a, b, new Probe.Icmp());
        String text = print(r);
        assertThat(r.diagnosis().ok()).as(text).isTrue();
        for (int hop = 1; hop <= 5; hop++) {
            assertThat(r.seen(Sighting.Kind.REQUEST, hop)).as("request at hop " + hop + "\n" + text).isTrue();
            assertThat(r.seen(Sighting.Kind.REPLY, hop)).as("reply at hop " + hop + "\n" + text).isTrue();
        }
        assertThat(r.seen(Sighting.Kind.ARP_REQUEST, 4)).as("the bridge flooded the ARP request\n" + text).isTrue();
        assertThat(text).contains("ARP, Request who-has 10.244.2.3 tell 10.244.2.2")
                .contains("ICMP echo request").contains("ICMP echo reply").contains("result: OK");
        // The request reaches the hops in path order.
        List<Integer> order = r.sightings().stream().filter(s -> s.kind() == Sighting.Kind.REQUEST)
                .map(s -> s.hop().number()).distinct().toList();
        assertThat(order).startsWith(1, 2);
    }

    @Test
    void tcpProbeToAClosedPortIsStillAnAnswer() {
        TraceResult r = PathTracer.trace(a, b, new Probe.Tcp(9));
        assertThat(r.answered()).isTrue();
        assertThat(print(r)).contains("Flags [S]").contains("Flags [R");
    }

    @Test
    void destinationVethDownIsNamedAtHopFour() {
        try (NetlinkHandle h = NetlinkHandle.open(node.node)) {
            h.links().setDown(b.hostVeth());
        }
        TraceResult r = PathTracer.trace(a, b, new Probe.Icmp());
        assertThat(r.diagnosis().ok()).isFalse();
        assertThat(r.diagnosis().hop()).as(print(r)).isEqualTo(4);
        assertThat(r.diagnosis().reason()).contains(b.hostVeth()).contains("down");
    }

    @Test
    void destinationAddressRemovedIsNamedAtHopFive() {
        try (NetlinkHandle h = NetlinkHandle.open(b.netns())) {
            h.addresses().delete("eth0", Cidr.parse("10.244.2.3/24"));
        }
        TraceResult r = PathTracer.trace(a, b, new Probe.Icmp());
        String text = print(r);
        assertThat(r.diagnosis().hop()).as(text).isEqualTo(5);
        assertThat(r.diagnosis().reason()).contains("no address 10.244.2.3");
        assertThat(r.seen(Sighting.Kind.ARP_REQUEST, 5)).as("the ARP request still arrived\n" + text).isTrue();
        assertThat(text).contains("FAILED").contains("last seen at hop 5");
    }

    @Test
    void detachedPortIsNamedAtHopFour() {
        try (NetlinkHandle h = NetlinkHandle.open(node.node)) {
            h.links().setNoMaster(b.hostVeth());
        }
        TraceResult r = PathTracer.trace(a, b, new Probe.Icmp());
        String text = print(r);
        assertThat(r.diagnosis().hop()).as(text).isEqualTo(4);
        assertThat(r.diagnosis().reason()).contains("not a port of cni0");
        assertThat(r.lastHopReached()).as(text).isEqualTo(3);
    }

    @Test
    void anNftDropInTheDestinationIsNamedWithTheKernelsReason() {
        Ip.run("ip", "netns", "exec", b.netns().name(), "nft", "add table inet t; add chain inet t input"
                + " { type filter hook input priority 0; }; add rule inet t input icmp type echo-request drop").ok();
        TraceResult r = PathTracer.trace(a, b, new Probe.Icmp());
        String text = print(r);
        assertThat(r.diagnosis().hop()).as(text).isEqualTo(5);
        assertThat(r.diagnosis().reason()).as(text).isEqualTo("dropped at hop 5 by the kernel: NETFILTER_DROP in nft_do_chain");
        assertThat(text).contains("kernel drop after hop 5 eth0: NETFILTER_DROP at nft_do_chain+").contains("(task podnet-ns/"); // the probe is sent by a thread of this JVM
    }

    @Test
    void aNeighbourThatNeverAnswersIsNamedAtTheSourceWithNeighFailed() {
        Sysctl.set(b.netns(), "net.ipv4.conf.all.arp_ignore", "8"); // b keeps its address but answers no ARP
        Sysctl.set(a.netns(), "net.ipv4.neigh.eth0.mcast_solicit", "1");
        Sysctl.set(a.netns(), "net.ipv4.neigh.eth0.retrans_time_ms", "300");
        TraceResult r = PathTracer.trace(a, b, new Probe.Icmp());
        String text = print(r);
        assertThat(r.diagnosis().hop()).as(text).isEqualTo(1);
        assertThat(r.diagnosis().reason()).as(text).isEqualTo("dropped at hop 1 by the kernel: NEIGH_FAILED in neigh_invalidate");
    }

    @Test
    void aDenyAllPolicyIsNamedAtTheBridge(@TempDir Path state) {
        List<PolicyPod> pods = List.of(new PolicyPod("x", "a", Map.of(), a.ip(), List.of()),
                new PolicyPod("x", "b", Map.of(), b.ip(), List.of()));
        new Policies(state, node.node, () -> pods).apply(PolicyManifest.parse(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-all, namespace: x}\nspec: {podSelector: {}}\n",
                "default", false));
        TraceResult r = PathTracer.trace(a, b, new Probe.Tcp(80));
        String text = print(r);
        assertThat(r.diagnosis().hop()).as(text).isEqualTo(3);
        assertThat(r.diagnosis().reason()).as(text).isEqualTo("dropped by policy x/deny-all: " + b.label()
                + " is isolated for ingress and no policy allows this TCP connect to port 80");
        assertThat(text).contains("policy drop in the node's forward hook (ingress 10.244.2.2 -> 10.244.2.3): by policy x/deny-all")
                .contains("broken at hop 3 (cni0)");
    }
}
