package podnet.cni.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.cni.testing.Cni;
import podnet.linux.ns.Netns;
import podnet.linux.sysctl.Sysctl;
import podnet.linux.testing.Ip;
import podnet.linux.testing.TestNetns;

/**
 * The same scenario through Debian's reference plugins (/usr/lib/cni, v1.1.1, cniVersion ≤ 1.0.0)
 * and through ours, each in its own throwaway node: interfaces, addresses, routes, sysctls, lease
 * files and results must match (MACs, ifindexes and the random veth names aside).
 */
class ReferenceComparisonTest {
    TestNetns ns;
    @TempDir
    Path tmp;

    @BeforeEach
    void setUp() {
        ns = new TestNetns("cmp");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/lib/cni/bridge")), "reference plugins");
    }

    @AfterEach
    void tearDown() {
        ns.close();
    }

    record Side(String label, Netns node, Netns pod, Path data, Cni.Out add) {}

    String conf(Path data, String extra, String ranges) {
        return """
                {"cniVersion":"1.0.0","name":"cmpnet","type":"bridge","bridge":"cni0"%s,
                 "ipam":{"type":"host-local","dataDir":"%s","ranges":%s,"routes":[{"dst":"192.168.77.0/24"}]}}"""
                .formatted(extra, data, ranges);
    }

    Side run(String label, boolean reference, String extra, String ranges) {
        Netns node = ns.add(label + "node");
        Netns pod = ns.add(label + "pod");
        Path data = tmp.resolve(label);
        String c = conf(data, extra, ranges);
        // a pod already on the node, so the lease round robin is exercised too
        Netns first = ns.add(label + "first");
        Cni pre = Cni.of("ADD", "first-ctr", first.path().toString(), "eth0");
        Cni main = Cni.of("ADD", "0123456789abcdef", pod.path().toString(), "eth0").args("IgnoreUnknown=1;K8S_POD_NAME=web");
        Cni.Out out;
        if (reference) {
            pre.reference(node, "bridge", c).ok();
            out = main.reference(node, "bridge", c).ok();
        } else {
            pre.ours(node, "bridge", c).ok();
            out = main.ours(node, "bridge", c).ok();
        }
        return new Side(label, node, pod, data, out);
    }

    @Test
    void dualStackGatewayHairpinSameAsReference() throws IOException {
        String extra = ",\"isGateway\":true,\"isDefaultGateway\":true,\"hairpinMode\":true,\"mtu\":1450";
        String ranges = "[[{\"subnet\":\"10.244.2.0/24\"}],[{\"subnet\":\"fd00:10:244:2::/64\"}]]";
        Side ref = run("r", true, extra, ranges);
        Side our = run("o", false, extra, ranges);
        compare(ref, our);
        assertThat(Ip.ping(our.pod().name(), gateway(our), 1)).as("our pod reaches its gateway").isTrue();
        crossCheck(ref, our, extra, ranges);

        // DEL on both: same state left behind
        String cr = conf(ref.data(), extra, ranges), co = conf(our.data(), extra, ranges);
        Cni.of("DEL", "0123456789abcdef", ref.pod().path().toString(), "eth0").reference(ref.node(), "bridge", cr).ok();
        Cni.of("DEL", "0123456789abcdef", our.pod().path().toString(), "eth0").ours(our.node(), "bridge", co).ok();
        assertThat(podLinks(our)).isEqualTo(podLinks(ref));
        assertThat(leases(our)).isEqualTo(leases(ref));
    }

    @Test
    void plainLayer3SameAsReference() throws IOException {
        Side ref = run("r", true, "", "[[{\"subnet\":\"10.244.5.0/24\",\"rangeStart\":\"10.244.5.10\"}]]");
        Side our = run("o", false, "", "[[{\"subnet\":\"10.244.5.0/24\",\"rangeStart\":\"10.244.5.10\"}]]");
        compare(ref, our);
        crossCheck(ref, our, "", "[[{\"subnet\":\"10.244.5.0/24\",\"rangeStart\":\"10.244.5.10\"}]]");
    }

    @Test
    void promiscuousBridgeWithRangeEndSameAsReference() throws IOException {
        String ranges = "[[{\"subnet\":\"10.244.6.0/24\",\"rangeEnd\":\"10.244.6.20\",\"gateway\":\"10.244.6.254\"}]]";
        Side ref = run("r", true, ",\"promiscMode\":true,\"isGateway\":true", ranges);
        Side our = run("o", false, ",\"promiscMode\":true,\"isGateway\":true", ranges);
        compare(ref, our);
    }

    /**
     * The reference's CHECK says the same about what we built as about what it built (v1.1.1
     * rejects its own ADD when an IPAM route has no gw: it compares gw-less routes literally),
     * and, with routes left out of prevResult, accepts ours; our CHECK accepts the reference's.
     */
    void crossCheck(Side ref, Side our, String extra, String ranges) {
        String co = conf(our.data(), extra, ranges), cr = conf(ref.data(), extra, ranges);
        Cni checkOur = Cni.of("CHECK", "0123456789abcdef", our.pod().path().toString(), "eth0").args("IgnoreUnknown=1");
        Cni checkRef = Cni.of("CHECK", "0123456789abcdef", ref.pod().path().toString(), "eth0").args("IgnoreUnknown=1");
        Cni.Out refOnRef = checkRef.reference(ref.node(), "bridge", withPrev(cr, ref.add().stdout(), true));
        Cni.Out refOnOurs = checkOur.reference(our.node(), "bridge", withPrev(co, our.add().stdout(), true));
        assertThat(refOnOurs.exit()).isEqualTo(refOnRef.exit());
        assertThat(refOnOurs.stdout()).isEqualTo(refOnRef.stdout());
        checkOur.reference(our.node(), "bridge", withPrev(co, our.add().stdout(), false)).ok();
        checkRef.ours(ref.node(), "bridge", withPrev(cr, ref.add().stdout(), true)).ok();
    }

    @SuppressWarnings("unchecked")
    static String withPrev(String conf, String result, boolean keepRoutes) {
        try {
            Map<String, Object> c = (Map<String, Object>) com.fasterxml.jackson.jr.ob.JSON.std.anyFrom(conf);
            Map<String, Object> r = (Map<String, Object>) com.fasterxml.jackson.jr.ob.JSON.std.anyFrom(result);
            if (!keepRoutes) {
                r.remove("routes");
            }
            c.put("prevResult", r);
            return com.fasterxml.jackson.jr.ob.JSON.std.asString(c);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    void compare(Side ref, Side our) throws IOException {
        // results: same shape and values once MACs and veth names are blanked
        assertThat(normalise(our.add().stdout())).isEqualTo(normalise(ref.add().stdout()));
        // pod: links, addresses, routes, sysctls
        assertThat(podLinks(our)).isEqualTo(podLinks(ref));
        assertThat(addrs(our.pod(), "eth0")).isEqualTo(addrs(ref.pod(), "eth0"));
        assertThat(routes(our.pod(), "-4")).isEqualTo(routes(ref.pod(), "-4"));
        assertThat(routes(our.pod(), "-6")).isEqualTo(routes(ref.pod(), "-6"));
        for (String k : List.of("net/ipv4/conf/eth0/arp_notify", "net/ipv6/conf/eth0/accept_dad",
                "net/ipv6/conf/eth0/disable_ipv6", "net/ipv6/conf/lo/disable_ipv6")) {
            assertThat(Sysctl.get(our.pod(), k)).as(k).isEqualTo(Sysctl.get(ref.pod(), k));
        }
        // node: bridge, its addresses, the host veth as a port
        assertThat(link(our.node(), "cni0")).isEqualTo(link(ref.node(), "cni0"));
        assertThat(addrs(our.node(), "cni0")).isEqualTo(addrs(ref.node(), "cni0"));
        String rv = hostVeth(ref), ov = hostVeth(our);
        assertThat(ov).matches("veth[0-9a-f]{8}");
        assertThat(link(our.node(), ov)).isEqualTo(link(ref.node(), rv));
        for (String k : List.of("net/ipv4/ip_forward", "net/ipv6/conf/all/forwarding", "net/ipv6/conf/cni0/accept_ra")) {
            assertThat(Sysctl.get(our.node(), k)).as(k).isEqualTo(Sysctl.get(ref.node(), k));
        }
        assertThat(Sysctl.get(our.node(), "net/ipv6/conf/" + ov + "/accept_ra"))
                .isEqualTo(Sysctl.get(ref.node(), "net/ipv6/conf/" + rv + "/accept_ra"));
        // the lease store, byte for byte
        assertThat(leases(our)).isEqualTo(leases(ref));
    }

    static String gateway(Side s) {
        return (String) s.add().list("ips").get(0).get("gateway");
    }

    static String hostVeth(Side s) {
        return (String) s.add().list("interfaces").get(1).get("name");
    }

    static String normalise(String json) {
        return json.replaceAll("\"mac\"\\s*:\\s*\"[0-9a-f:]+\"", "\"mac\":\"M\"")
                .replaceAll("veth[0-9a-f]{8}", "vethX").replaceAll("/run/netns/[^\"]+", "NETNS")
                .replaceAll("\\s", "");
    }

    List<String> podLinks(Side s) {
        return Ip.json(s.pod().name(), "-d", "link", "show").stream()
                .map(l -> l.get("ifname") + " mtu=" + l.get("mtu") + " flags=" + l.get("flags") + " state=" + l.get("operstate")
                        + " kind=" + kind(l))
                .toList();
    }

    static Object kind(Map<String, Object> l) {
        Object li = l.get("linkinfo");
        return li instanceof Map<?, ?> m ? m.get("info_kind") : null;
    }

    static List<String> addrs(Netns n, String dev) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> l : Ip.json(n.name(), "addr", "show", "dev", dev)) {
            for (Object o : (List<?>) l.get("addr_info")) {
                Map<?, ?> a = (Map<?, ?>) o;
                if (!"link".equals(a.get("scope"))) {
                    out.add(a.get("local") + "/" + a.get("prefixlen") + " scope=" + a.get("scope") + " brd=" + a.get("broadcast")
                            + " flags=" + a.get("tentative") + a.get("nodad"));
                }
            }
        }
        return out;
    }

    static List<String> routes(Netns n, String family) {
        return Ip.json(n.name(), family, "route", "show", "table", "main").stream()
                .filter(r -> !String.valueOf(r.get("dst")).startsWith("fe80"))
                .map(r -> new TreeMap<>(Map.of("dst", String.valueOf(r.get("dst")), "gw", String.valueOf(r.get("gateway")),
                        "dev", String.valueOf(r.get("dev")), "proto", String.valueOf(r.get("protocol")),
                        "scope", String.valueOf(r.get("scope")), "metric", String.valueOf(r.get("metric")))).toString())
                .sorted().toList();
    }

    static String link(Netns n, String dev) {
        Map<String, Object> l = Ip.link(n.name(), dev);
        Map<?, ?> info = (Map<?, ?>) l.get("linkinfo");
        Object slave = info == null ? null : info.get("info_slave_data");
        String port = "";
        if (slave instanceof Map<?, ?> p) {
            port = " hairpin=" + p.get("hairpin") + " isolated=" + p.get("isolated") + " state=" + p.get("state")
                    + " learning=" + p.get("learning") + " flood=" + p.get("flood");
        }
        return "mtu=" + l.get("mtu") + " flags=" + l.get("flags") + " state=" + l.get("operstate") + " master=" + l.get("master")
                + " promisc=" + l.get("promiscuity") + " kind=" + (info == null ? null : info.get("info_kind")) + port;
    }

    Map<String, String> leases(Side s) throws IOException {
        Map<String, String> m = new TreeMap<>();
        Path dir = s.data().resolve("cmpnet");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                String perms = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                m.put(name, perms + " " + (name.equals("lock") ? "" : Files.readString(p).replace("\r", "\\r").replace("\n", "\\n")));
            }
        }
        return m;
    }
}
