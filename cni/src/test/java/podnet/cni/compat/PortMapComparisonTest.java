package podnet.cni.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import podnet.cni.testing.Cni;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.Address;
import podnet.linux.netlink.BridgePort;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.netlink.Route;
import podnet.linux.ns.Netns;
import podnet.linux.sysctl.Sysctl;
import podnet.linux.testing.PortProbe;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/**
 * podnet's portmap against Debian's reference portmap (/usr/lib/cni/portmap 1.1.1, iptables),
 * side by side, each in its own node: a bridge with a pod behind it (10.244.2.5, fd00:2::5)
 * serving TCP and UDP on port 80, and an outside namespace. The same ADD must make the same
 * connections work with the same source addresses seen by the pod (from outside, from the node
 * by its bridge address, by 127.0.0.1, by IPv6, hairpin from the pod itself, UDP), set the
 * same route_localnet, pass prevResult through unchanged, accept its CHECK, and after DEL
 * (also without a netns, also twice) leave nothing that answers; bad input fails on both.
 */
class PortMapComparisonTest {
    static final String ID = "0123456789abcdef";

    TestNetns ns;
    final PortProbe probe = new PortProbe();

    record Side(String label, Netns node, Netns pod, Netns outside, String podNetns) {}

    @BeforeEach
    void setUp() {
        ns = new TestNetns("pmap");
        assumeTrue(Files.isExecutable(Path.of("/usr/lib/cni/portmap")), "reference plugins");
        Root.assumeProgram("iptables");
    }

    @AfterEach
    void tearDown() throws Exception {
        probe.close();
        ns.close();
    }

    Side side(String label) {
        Netns node = ns.add(label + "node"), pod = ns.add(label + "pod"), out = ns.add(label + "out");
        try (NetlinkHandle n = NetlinkHandle.open(node); NetlinkHandle p = NetlinkHandle.open(pod);
                NetlinkHandle o = NetlinkHandle.open(out)) {
            n.links().setUp("lo");
            n.links().addBridge("cni0", 0, false);
            n.addresses().add("cni0", Cidr.parse("10.244.2.1/24"));
            n.addresses().add("cni0", Cidr.parse("fd00:2::1/64"), Address.IFA_F_NODAD);
            n.links().setUp("cni0");
            n.links().addVeth("vethpm0", "eth0", pod, 0);
            n.links().setMaster("vethpm0", "cni0");
            n.links().setBridgePort("vethpm0", BridgePort.Change.hairpin(true)); // as bridge's hairpinMode
            n.links().setUp("vethpm0");
            p.addresses().add("eth0", Cidr.parse("10.244.2.5/24"));
            p.addresses().add("eth0", Cidr.parse("fd00:2::5/64"), Address.IFA_F_NODAD);
            p.links().setUp("eth0");
            p.links().setUp("lo");
            int eth0 = p.links().require("eth0").index();
            p.routes().add(Route.of(null, Cidr.parseAddress("10.244.2.1"), eth0));
            n.links().addVeth("uplink0", "eth0", out, 0);
            n.addresses().add("uplink0", Cidr.parse("192.168.2.1/24"));
            n.links().setUp("uplink0");
            o.addresses().add("eth0", Cidr.parse("192.168.2.2/24"));
            o.links().setUp("eth0");
            o.links().setUp("lo");
        }
        Sysctl.set(node, "net.ipv4.ip_forward", "1");
        probe.serveTcp(pod, 80, "pod").serveUdp(pod, 80);
        return new Side(label, node, pod, out, pod.path().toString());
    }

    static String conf(Side s, String mappings, boolean withPrev) {
        return conf(s, mappings, withPrev, true);
    }

    static String conf(Side s, String mappings, boolean withPrev, boolean dualStack) {
        String prev = """
                ,"prevResult":{"cniVersion":"1.0.0",
                  "interfaces":[{"name":"cni0","mac":"0a:58:0a:f4:02:01"},{"name":"vethpm0","mac":"0a:58:0a:f4:02:02"},
                                {"name":"eth0","mac":"0a:58:0a:f4:02:05","sandbox":"%s"}],
                  "ips":[{"address":"10.244.2.5/24","gateway":"10.244.2.1","interface":2}%s]}"""
                .formatted(s.podNetns(), dualStack ? ",{\"address\":\"fd00:2::5/64\",\"gateway\":\"fd00:2::1\",\"interface\":2}" : "");
        return """
                {"cniVersion":"1.0.0","name":"cmpnet","type":"portmap","snat":true,
                 "capabilities":{"portMappings":true},
                 "runtimeConfig":{"portMappings":%s}%s}""".formatted(mappings, withPrev ? prev : "");
    }

    static final String MAPPINGS = """
            [{"hostPort":8080,"containerPort":80,"protocol":"tcp"},{"hostPort":8053,"containerPort":80,"protocol":"udp"}]""";

    Cni.Out call(Side s, boolean reference, Cni cni, String conf) {
        return reference ? cni.reference(s.node(), "portmap", conf) : cni.ours(s.node(), "portmap", conf);
    }

    /** The result JSON with the side's own pod netns path blanked. */
    static Map<String, Object> result(Cni.Out out, Side s) {
        return new Cni.Out(out.exit(), out.stdout().replace(s.podNetns(), "POD")).json();
    }

    /** Who answers, and with which source address, for each way of reaching the host port. */
    static Map<String, String> reachability(Side s) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("outside → node:8080", PortProbe.tcp(s.outside(), "192.168.2.1", 8080));
        m.put("node → bridge:8080", PortProbe.tcp(s.node(), "10.244.2.1", 8080));
        m.put("node → 127.0.0.1:8080", PortProbe.tcp(s.node(), "127.0.0.1", 8080));
        m.put("node → [fd00:2::1]:8080", PortProbe.tcp(s.node(), "fd00:2::1", 8080));
        m.put("pod → bridge:8080 (hairpin)", PortProbe.tcp(s.pod(), "10.244.2.1", 8080));
        m.put("outside → node:8053/udp", PortProbe.udp(s.outside(), "192.168.2.1", 8053));
        return m;
    }

    @Test
    void sameForwardingAsReference() {
        Side ref = side("r"), our = side("o");
        Cni add = Cni.of("ADD", ID, null, "eth0").args("IgnoreUnknown=1;K8S_POD_NAME=web");
        Cni.Out refAdd = call(ref, true, add.netns(ref.podNetns()), conf(ref, MAPPINGS, true)).ok();
        Cni.Out ourAdd = call(our, false, add.netns(our.podNetns()), conf(our, MAPPINGS, true)).ok();
        assertThat(result(ourAdd, our)).as("prevResult passed through").isEqualTo(result(refAdd, ref));

        Map<String, String> refReach = reachability(ref);
        assertThat(refReach.values()).as("the reference forwards every way").noneMatch(v -> v.startsWith("failed"));
        assertThat(reachability(our)).isEqualTo(refReach);
        String localnet = Sysctl.conf("ipv4", "cni0", "route_localnet");
        assertThat(Sysctl.get(our.node(), localnet)).isEqualTo(Sysctl.get(ref.node(), localnet)).isEqualTo("1");

        // The reference 1.1.1's CHECK refuses its own ADD ("could not check ipv6 dnat": it always
        // looks in ip6tables, and for the IPv4 rules there); ours accepts its own.
        Cni check = Cni.of("CHECK", ID, null, "eth0");
        call(our, false, check.netns(our.podNetns()), conf(our, MAPPINGS, true)).ok();

        // DEL without the netns (the pod is gone), then again: idempotent, nothing answers
        Cni del = Cni.of("DEL", ID, null, "eth0");
        call(ref, true, del, conf(ref, MAPPINGS, true)).ok();
        call(our, false, del, conf(our, MAPPINGS, true)).ok();
        call(ref, true, del, conf(ref, MAPPINGS, false)).ok();
        call(our, false, del, conf(our, MAPPINGS, false)).ok();
        Map<String, String> refAfter = reachability(ref);
        assertThat(refAfter.values()).allMatch(v -> v.startsWith("failed"));
        assertThat(reachability(our).keySet()).isEqualTo(refAfter.keySet());
        assertThat(reachability(our).values()).allMatch(v -> v.startsWith("failed"));
    }

    @Test
    void checkRefusesOtherPortsAndAfterDelOnBoth() {
        Side ref = side("r"), our = side("o");
        Cni del = Cni.of("DEL", ID, null, "eth0"), check = Cni.of("CHECK", ID, null, "eth0");
        for (Side s : new Side[] {ref, our}) {
            boolean reference = s == ref;
            Cni chk = check.netns(s.podNetns());
            call(s, reference, Cni.of("ADD", ID, s.podNetns(), "eth0"), conf(s, MAPPINGS, true, false)).ok();
            if (!reference) { // the reference refuses even its own ADD (see above)
                call(s, false, chk, conf(s, MAPPINGS, true, false)).ok();
            }
            String other = "[{\"hostPort\":9999,\"containerPort\":80,\"protocol\":\"tcp\"}]";
            assertThat(call(s, reference, chk, conf(s, other, true, false)).exit()).as("%s: CHECK of other ports", s.label())
                    .isNotZero();
            call(s, reference, del, conf(s, MAPPINGS, true, false)).ok();
            assertThat(call(s, reference, chk, conf(s, MAPPINGS, true, false)).exit()).as("%s: CHECK after DEL", s.label())
                    .isNotZero();
        }
    }

    @Test
    void gcRemovesOnlyStaleAttachments() {
        Side our = side("o");
        call(our, false, Cni.of("ADD", ID, our.podNetns(), "eth0"), conf(our, MAPPINGS, true)).ok();
        call(our, false, Cni.of("ADD", "stale-ctr", our.podNetns(), "eth1"),
                conf(our, "[{\"hostPort\":9090,\"containerPort\":80}]", true)).ok();
        String gc = """
                {"cniVersion":"1.1.0","name":"cmpnet","type":"portmap",
                 "cni.dev/valid-attachments":[{"containerID":"%s","ifname":"eth0"}]}""".formatted(ID);
        call(our, false, Cni.of("GC", null, null, null), gc).ok();
        assertThat(PortProbe.tcp(our.outside(), "192.168.2.1", 8080)).isEqualTo("pod from 192.168.2.2");
        assertThat(PortProbe.tcp(our.outside(), "192.168.2.1", 9090)).startsWith("failed");
    }

    @Test
    void noMappingsPassesThroughAndForwardsNothing() {
        Side ref = side("r"), our = side("o");
        Cni.Out r = call(ref, true, Cni.of("ADD", ID, ref.podNetns(), "eth0"), conf(ref, "[]", true)).ok();
        Cni.Out o = call(our, false, Cni.of("ADD", ID, our.podNetns(), "eth0"), conf(our, "[]", true)).ok();
        assertThat(result(o, our)).isEqualTo(result(r, ref));
        assertThat(PortProbe.tcp(our.outside(), "192.168.2.1", 8080)).startsWith("failed");
    }

    @Test
    void badInputFailsOnBoth() {
        Side ref = side("r"), our = side("o");
        String[] bad = {
            conf(ref, MAPPINGS, false), // ADD without prevResult: not chained
            conf(ref, "[{\"hostPort\":0,\"containerPort\":80}]", true),
            conf(ref, "[{\"hostPort\":8080,\"containerPort\":0}]", true),
            conf(ref, "[{\"hostPort\":8080,\"containerPort\":80,\"hostIP\":\"not-an-ip\"}]", true),
        };
        for (String c : bad) {
            Cni add = Cni.of("ADD", ID, ref.podNetns(), "eth0");
            Cni.Out r = call(ref, true, add, c);
            Cni.Out o = call(our, false, add.netns(our.podNetns()), c.replace(ref.podNetns(), our.podNetns()));
            assertThat(r.exit()).as("reference on %s", c).isNotZero();
            assertThat(o.exit()).as("ours on %s", c).isNotZero();
            assertThat(o.msg()).isNotBlank();
        }
        assertThat(PortProbe.tcp(our.outside(), "192.168.2.1", 8080)).as("nothing half made").startsWith("failed");
        assertThat(podnet.linux.testing.Ip.run("ip", "netns", "exec", our.node().name(), "nft", "list", "ruleset").out())
                .doesNotContain("chain pm-");
    }
}
