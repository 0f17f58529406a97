package podnet.cni.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.cni.spec.CniError;
import podnet.cni.testing.Cni;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;
import podnet.linux.sysctl.Sysctl;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/** The bridge plugin against the kernel: host side in a throwaway "node" netns, pods in others. */
class BridgeTest {
    TestNetns ns;
    Netns node;
    @TempDir
    Path data;

    @BeforeEach
    void setUp() {
        ns = new TestNetns("br");
        Root.assumeProgram("ip");
        node = ns.add("node");
    }

    @AfterEach
    void tearDown() {
        ns.close();
    }

    String conf(String extra) {
        return conf("1.1.0", extra, "\"subnet\":\"10.244.2.0/24\"");
    }

    String conf(String version, String extra, String ipam) {
        return """
                {"cniVersion":"%s","name":"podnet","type":"bridge","bridge":"cni0"%s,
                 "ipam":{"type":"host-local","dataDir":"%s",%s}}""".formatted(version, extra, data, ipam);
    }

    Cni call(String cmd, String id, Netns pod) {
        return Cni.of(cmd, id, pod == null ? "" : pod.path().toString(), "eth0");
    }

    Cni.Out add(String id, Netns pod, String conf) {
        return call("ADD", id, pod).ours(node, "bridge", conf);
    }

    Cni.Out del(String id, Netns pod, String conf) {
        return call("DEL", id, pod).ours(node, "bridge", conf);
    }

    @Test
    void addConfiguresPodBridgeAndGatewayThenPingsAndDeletes() {
        Netns a = ns.add("a"), b = ns.add("b");
        String c = conf(",\"isGateway\":true,\"isDefaultGateway\":true,\"hairpinMode\":true");
        Cni.Out ra = add("ctr-a", a, c).ok();
        Cni.Out rb = add("ctr-b", b, c).ok();
        assertThat(ra.address(0)).isEqualTo("10.244.2.2/24");
        assertThat(rb.address(0)).isEqualTo("10.244.2.3/24");
        List<Map<String, Object>> ifs = ra.list("interfaces");
        assertThat(ifs).hasSize(3);
        assertThat(ifs.get(0).get("name")).isEqualTo("cni0");
        String hostVeth = (String) ifs.get(1).get("name");
        assertThat(hostVeth).matches("veth[0-9a-f]{8}");
        assertThat(ifs.get(2)).containsEntry("name", "eth0").containsEntry("sandbox", a.path().toString());
        assertThat(ra.list("ips").get(0)).containsEntry("interface", 2).containsEntry("gateway", "10.244.2.1");
        assertThat(ra.list("routes").get(0)).containsEntry("dst", "0.0.0.0/0").containsEntry("gw", "10.244.2.1");

        // node side: bridge up with the gateway, the veth its port with hairpin on
        Map<String, Object> br = Ip.link(node.name(), "cni0");
        assertThat(br.get("flags").toString()).contains("UP");
        assertThat(Ip.json(node.name(), "addr", "show", "dev", "cni0").toString()).contains("10.244.2.1");
        Map<String, Object> port = Ip.link(node.name(), hostVeth);
        assertThat(port.get("master")).isEqualTo("cni0");
        assertThat(port.get("operstate")).isEqualTo("UP");
        Map<?, ?> info = (Map<?, ?>) ((Map<?, ?>) port.get("linkinfo")).get("info_slave_data");
        assertThat(info.get("hairpin")).isEqualTo(true);
        assertThat(Sysctl.get(node, "net/ipv4/ip_forward")).isEqualTo("1");
        // pod side: address, default route, arp_notify
        assertThat(Ip.json(a.name(), "addr", "show", "dev", "eth0").toString()).contains("10.244.2.2");
        assertThat(Ip.json(a.name(), "route", "show", "default").toString()).contains("10.244.2.1");
        assertThat(Sysctl.get(a, "net/ipv4/conf/eth0/arp_notify")).isEqualTo("1");
        assertThat(((Map<?, ?>) ifs.get(2)).get("mac")).isEqualTo(Ip.link(a.name(), "eth0").get("address"));
        assertThat(ifs.get(0).get("mac")).isEqualTo(br.get("address"));

        assertThat(Ip.ping(a.name(), "10.244.2.3", 2)).as("pod a -> pod b").isTrue();
        assertThat(Ip.ping(b.name(), "10.244.2.1", 1)).as("pod b -> gateway").isTrue();

        // CHECK against the ADD result
        String prev = c.replace("\"type\":\"bridge\",", "\"type\":\"bridge\",\"prevResult\":" + ra.stdout() + ",");
        call("CHECK", "ctr-a", a).ours(node, "bridge", prev).ok();

        del("ctr-a", a, c).ok();
        assertThat(Ip.run("ip", "-n", a.name(), "link", "show", "dev", "eth0").exit()).isNotZero();
        assertThat(Ip.run("ip", "-n", node.name(), "link", "show", hostVeth).exit()).isNotZero();
        assertThat(data.resolve("podnet/10.244.2.2")).doesNotExist();
        // CHECK now fails, DEL again succeeds
        assertThat(call("CHECK", "ctr-a", a).ours(node, "bridge", prev).exit()).isNotZero();
        del("ctr-a", a, c).ok();
        assertThat(data.resolve("podnet/10.244.2.3")).exists();
    }

    String nft(Netns n) {
        return Ip.run("ip", "netns", "exec", n.name(), "nft", "-j", "list", "ruleset").ok().out();
    }

    @Test
    void ipMasqAddsAndRemovesOneSetElementAndGcCleansUp() {
        Root.assumeProgram("nft");
        Netns a = ns.add("a"), b = ns.add("b");
        String c = conf(",\"isGateway\":true,\"ipMasq\":true,\"ipMasqBackend\":\"nftables\"");
        add("ctr-a", a, c).ok();
        add("ctr-b", b, c).ok();
        String rules = nft(node);
        assertThat(rules).contains("\"podnet\"", "masquerade", "10.244.2.2", "10.244.2.3");
        del("ctr-a", a, c).ok();
        assertThat(nft(node)).doesNotContain("10.244.2.2").contains("10.244.2.3");
        del("ctr-a", a, c).ok();
        // GC: ctr-b is not a valid attachment any more -> lease and set element go
        String gc = c.replace("\"type\":\"bridge\",", "\"type\":\"bridge\",\"cni.dev/valid-attachments\":[],");
        Cni.of("GC", null, null, null).ours(node, "bridge", gc).ok();
        assertThat(nft(node)).doesNotContain("10.244.2.3");
        assertThat(data.resolve("podnet/10.244.2.3")).doesNotExist();
        assertThat(Cni.of("STATUS", null, null, null).ours(node, "bridge", c).exit()).isZero();
    }

    @Test
    void macSpoofCheckDropsFramesFromAnotherMac() {
        Root.assumeProgram("nft");
        Netns a = ns.add("a"), b = ns.add("b");
        String c = conf(",\"isGateway\":true,\"macspoofchk\":true");
        Cni.Out ra = add("ctr-a", a, c).ok();
        add("ctr-b", b, c).ok();
        String mac = (String) ra.list("interfaces").get(2).get("mac");
        String hostVeth = (String) ra.list("interfaces").get(1).get("name");
        String rules = nft(node);
        assertThat(rules).contains("podnet-spoofchk ctr-a eth0", "podnet-spoofchk ctr-b eth0", hostVeth, mac, "drop");
        assertThat(Ip.ping(a.name(), "10.244.2.3", 1)).isTrue();
        // the pod forges another source MAC: its frames never reach the bridge
        Ip.run("ip", "-n", a.name(), "link", "set", "eth0", "address", "0a:58:de:ad:be:ef").ok();
        Ip.run("ip", "-n", a.name(), "neigh", "flush", "all").ok();
        Ip.run("ip", "-n", b.name(), "neigh", "flush", "all").ok();
        assertThat(Ip.ping(a.name(), "10.244.2.3", 2)).isFalse();
        Ip.run("ip", "-n", a.name(), "link", "set", "eth0", "address", mac).ok();
        assertThat(Ip.ping(a.name(), "10.244.2.3", 2)).isTrue();
        // DEL removes the attachment's rule; GC removes rules of attachments no longer valid
        del("ctr-a", a, c).ok();
        assertThat(nft(node)).doesNotContain("podnet-spoofchk ctr-a").contains("podnet-spoofchk ctr-b");
        String gc = c.replace("\"type\":\"bridge\",", "\"type\":\"bridge\",\"cni.dev/valid-attachments\":[],");
        Cni.of("GC", null, null, null).ours(node, "bridge", gc).ok();
        assertThat(nft(node)).doesNotContain("podnet-spoofchk");
    }

    @Test
    void delIsIdempotentWithoutNetns() {
        Netns a = ns.add("a");
        String c = conf("");
        add("ctr", a, c).ok();
        NamedNetns.delete(a.name()); // the pod's netns is gone before DEL
        del("ctr", a, c).ok();
        del("ctr", null, c).ok();     // empty CNI_NETNS, as ctr does
        del("never", ns.add("b"), c).ok();
        assertThat(data.resolve("podnet").toFile().list()).containsExactlyInAnyOrder("lock", "last_reserved_ip.0");
    }

    @Test
    void failedAddRollsBackEverything() {
        Netns a = ns.add("a"), b = ns.add("b");
        // a route whose gateway is unreachable fails after veth, lease and addresses exist
        String bad = conf("1.1.0", ",\"isGateway\":true", "\"subnet\":\"10.244.2.0/24\",\"routes\":[{\"dst\":\"192.168.0.0/16\",\"gw\":\"10.99.0.1\"}]");
        Cni.Out r = add("ctr", a, bad);
        assertThat(r.exit()).isNotZero();
        assertThat(r.msg()).contains("failed to add route");
        assertNothingLeft(a);
        // an exhausted range fails at IPAM, after the veth was made
        String tiny = conf("1.1.0", "", "\"subnet\":\"10.244.3.0/30\"");
        add("first", b, tiny).ok();
        Cni.Out full = add("second", a, tiny);
        assertThat(full.msg()).contains("no IP addresses available");
        assertThat(Ip.json(a.name(), "link", "show")).hasSize(1);
        assertThat(Ip.json(node.name(), "link", "show", "type", "veth")).hasSize(1); // pod b's only
        assertThat(data.resolve("podnet").toFile().list()).containsExactlyInAnyOrder("lock", "last_reserved_ip.0", "10.244.3.2");
    }

    private void assertNothingLeft(Netns pod) {
        assertThat(Ip.json(pod.name(), "link", "show").stream().map(l -> l.get("ifname")).toList()).containsExactly("lo");
        assertThat(Ip.json(node.name(), "link", "show", "type", "veth")).isEmpty();
        assertThat(data.resolve("podnet").toFile().list()).allMatch(f -> !f.startsWith("10.244.2."));
    }

    @Test
    void optionsMtuMacPromiscIsolationAndNoContainerInterface() {
        Netns a = ns.add("a"), b = ns.add("b");
        String c = conf(",\"mtu\":1400,\"promiscMode\":true,\"portIsolation\":true");
        Cni.Out r = call("ADD", "ctr", a).args("IgnoreUnknown=1;MAC=0a:58:0a:f4:02:63").ours(node, "bridge", c).ok();
        assertThat(Ip.link(a.name(), "eth0").get("address")).isEqualTo("0a:58:0a:f4:02:63");
        assertThat(Ip.link(a.name(), "eth0").get("mtu")).isEqualTo(1400);
        String hostVeth = (String) r.list("interfaces").get(1).get("name");
        assertThat(Ip.link(node.name(), hostVeth).get("mtu")).isEqualTo(1400);
        assertThat(Ip.link(node.name(), "cni0").get("flags").toString()).contains("PROMISC");
        Map<?, ?> info = (Map<?, ?>) ((Map<?, ?>) Ip.link(node.name(), hostVeth).get("linkinfo")).get("info_slave_data");
        assertThat(info.get("isolated")).isEqualTo(true);
        // the mac capability wins over CNI_ARGS
        String cap = c.replace("\"bridge\":\"cni0\"", "\"bridge\":\"cni0\",\"runtimeConfig\":{\"mac\":\"0a:58:00:00:00:07\"},\"disableContainerInterface\":true");
        call("ADD", "ctr2", b).args("MAC=0a:58:00:00:00:01").ours(node, "bridge", cap).ok();
        Map<String, Object> eth = Ip.link(b.name(), "eth0");
        assertThat(eth.get("address")).isEqualTo("0a:58:00:00:00:07");
        assertThat(eth.get("flags").toString()).doesNotContain("UP");
    }

    static boolean kernelHasVlanFiltering(String netns) {
        boolean ok = Ip.run("ip", "-n", netns, "link", "add", "vfprobe", "type", "bridge", "vlan_filtering", "1").exit() == 0;
        Ip.run("ip", "-n", netns, "link", "del", "vfprobe");
        return ok;
    }

    @Test
    void dnsKeyArgsMacAndOldResultVersions() {
        Netns a = ns.add("a"), b = ns.add("b");
        String c = conf("0.3.1", ",\"dns\":{\"nameservers\":[\"10.96.0.10\"],\"search\":[\"svc.cluster.local\"]},"
                + "\"args\":{\"cni\":{\"mac\":\"0a:58:00:00:00:42\"}}", "\"subnet\":\"10.244.2.0/24\"");
        Cni.Out r = add("x", a, c).ok();
        assertThat(r.json().get("cniVersion")).isEqualTo("0.3.1");
        assertThat(r.list("ips").get(0)).containsEntry("version", "4").containsEntry("interface", 2);
        assertThat(r.json().get("dns").toString()).contains("10.96.0.10", "svc.cluster.local");
        assertThat(Ip.link(a.name(), "eth0").get("address")).isEqualTo("0a:58:00:00:00:42");
        Cni.Out bad = call("ADD", "y", b).args("MAC=not-a-mac").ours(node, "bridge", conf(""));
        assertThat(bad.code()).isEqualTo(CniError.INVALID_CONFIG);
        assertThat(bad.msg()).contains("not-a-mac");
        assertThat(Ip.json(b.name(), "link", "show")).hasSize(1);
    }

    @Test
    void vlanWithoutKernelSupportFailsCleanly() {
        org.junit.jupiter.api.Assumptions.assumeFalse(kernelHasVlanFiltering(node.name()));
        Netns a = ns.add("a");
        Cni.Out r = add("v", a, conf(",\"vlan\":100"));
        assertThat(r.code()).isEqualTo(CniError.UNSUPPORTED_FIELD);
        assertThat(r.msg()).contains("VLAN filtering");
        assertThat(Ip.json(a.name(), "link", "show")).hasSize(1);
        assertThat(Ip.json(node.name(), "link", "show", "type", "veth")).isEmpty();
    }

    @Test
    void vlanAndTrunk() {
        org.junit.jupiter.api.Assumptions.assumeTrue(kernelHasVlanFiltering(node.name()), "kernel bridge lacks VLAN filtering");
        Netns a = ns.add("a"), b = ns.add("b");
        Cni.Out r = add("v", a, conf(",\"vlan\":100")).ok();
        String hostVeth = (String) r.list("interfaces").get(1).get("name");
        String vlans = Ip.run("bridge", "-n", node.name(), "-j", "vlan", "show", "dev", hostVeth).ok().out();
        assertThat(vlans).contains("\"vlan\":100", "PVID", "Egress Untagged");
        Cni.Out t = add("t", b, conf(",\"vlanTrunk\":[{\"id\":10},{\"minID\":20,\"maxID\":22}],\"preserveDefaultVlan\":false")).ok();
        String hv = (String) t.list("interfaces").get(1).get("name");
        String tv = Ip.run("bridge", "-n", node.name(), "-j", "vlan", "show", "dev", hv).ok().out();
        assertThat(tv).contains("\"vlan\":10", "\"vlan\":20", "\"vlan\":22").doesNotContain("\"vlan\":1,");
    }

    @Test
    void dualStackWithDad() {
        Netns a = ns.add("a");
        String c = conf("1.1.0", ",\"isGateway\":true,\"isDefaultGateway\":true,\"enabledad\":true",
                "\"ranges\":[[{\"subnet\":\"10.244.2.0/24\"}],[{\"subnet\":\"fd00:244::/64\"}]]");
        Cni.Out r = add("ds", a, c).ok();
        assertThat(r.address(1)).isEqualTo("fd00:244::2/64");
        assertThat(Sysctl.get(a, "net/ipv6/conf/eth0/accept_dad")).isEqualTo("1");
        String addrs = Ip.json(a.name(), "addr", "show", "dev", "eth0").toString();
        assertThat(addrs).contains("fd00:244::2").doesNotContain("tentative");
        assertThat(Ip.json(a.name(), "-6", "route", "show", "default").toString()).contains("fd00:244::1");
        assertThat(Ip.json(node.name(), "addr", "show", "dev", "cni0").toString()).contains("fd00:244::1");
        assertThat(Sysctl.get(node, "net/ipv6/conf/all/forwarding")).isEqualTo("1");
        // the bridge's own address does DAD for about a second before it answers
        boolean pinged = false;
        for (int i = 0; i < 10 && !pinged; i++) {
            pinged = Ip.ping(a.name(), "fd00:244::1", 1);
        }
        assertThat(pinged).isTrue();
    }

    @Test
    void bridgeAddressConflictAndForceAddress() {
        Netns a = ns.add("a"), b = ns.add("b");
        add("x", a, conf("1.1.0", ",\"isGateway\":true", "\"subnet\":\"10.244.2.0/24\"")).ok();
        String other = conf("1.1.0", ",\"isGateway\":true", "\"subnet\":\"10.244.9.0/24\"").replace("\"name\":\"podnet\"", "\"name\":\"other\"");
        Cni.Out r = add("y", b, other);
        assertThat(r.msg()).contains("already has an IP address different from 10.244.9.1/24");
        assertThat(Ip.json(b.name(), "link", "show")).hasSize(1);
        add("y", b, other.replace("\"isGateway\":true", "\"isGateway\":true,\"forceAddress\":true")).ok();
        String addrs = Ip.json(node.name(), "-4", "addr", "show", "dev", "cni0").toString();
        assertThat(addrs).contains("10.244.9.1").doesNotContain("10.244.2.1");
    }

    @Test
    void refusesANonBridgeAndBadOptions() {
        Netns a = ns.add("a");
        Ip.run("ip", "-n", node.name(), "link", "add", "notbr", "type", "ifb").ok();
        Cni.Out r = add("x", a, conf("").replace("\"cni0\"", "\"notbr\""));
        assertThat(r.code()).isEqualTo(CniError.INVALID_CONFIG);
        assertThat(r.msg()).contains("notbr", "not a bridge");
        assertThat(add("x", a, conf(",\"hairpinMode\":true,\"promiscMode\":true")).code()).isEqualTo(CniError.INVALID_CONFIG);
        assertThat(add("x", a, conf(",\"vlan\":5000")).msg()).contains("VLAN");
        assertThat(add("x", a, conf(",\"vlan\":5,\"vlanTrunk\":[{\"id\":6}]")).code()).isEqualTo(CniError.INVALID_CONFIG);
        assertThat(add("x", a, conf(",\"ipMasqBackend\":\"iptables\"")).code()).isEqualTo(CniError.UNSUPPORTED_FIELD);
        assertThat(add("x", a, conf(",\"mtu\":-1")).msg()).contains("mtu");
        assertThat(add("x", a, conf(",\"mtu\":\"big\"")).code()).isEqualTo(CniError.DECODING_FAILURE);
        assertThat(add("x", a, conf("").replace("\"cni0\"", "\"a/b\"")).code()).isEqualTo(CniError.INVALID_CONFIG);
        Cni.Out noNetns = call("ADD", "x", null).netns("/run/netns/does-not-exist").ours(node, "bridge", conf(""));
        assertThat(noNetns.code()).isEqualTo(CniError.INVALID_ENVIRONMENT);
        assertThat(noNetns.msg()).contains("CNI_NETNS");
        Cni.Out own = call("ADD", "x", node).ours(node, "bridge", conf(""));
        assertThat(own.code()).isEqualTo(CniError.INVALID_ENVIRONMENT);
        assertThat(Ip.json(a.name(), "link", "show")).hasSize(1);
        String[] files = data.resolve("podnet").toFile().list();
        assertThat(files == null ? new String[0] : files).allMatch(f -> !f.startsWith("10."));
    }

    @Test
    void layer2OnlyAndCheckFailures() {
        Netns a = ns.add("a");
        String l2 = "{\"cniVersion\":\"1.0.0\",\"name\":\"l2\",\"type\":\"bridge\",\"bridge\":\"br-l2\"}";
        Cni.Out r = add("x", a, l2).ok();
        assertThat(r.list("ips")).isEmpty();
        assertThat(Ip.link(a.name(), "eth0").get("flags").toString()).contains("UP");
        String prev = l2.replace("\"type\":\"bridge\",", "\"type\":\"bridge\",\"prevResult\":" + r.stdout() + ",");
        call("CHECK", "x", a).ours(node, "bridge", prev).ok();
        assertThat(call("CHECK", "x", a).ours(node, "bridge", l2).code()).isEqualTo(CniError.INVALID_CONFIG);
        assertThat(call("CHECK", "x", a).ours(node, "bridge", prev.replace("1.0.0", "0.3.1")).code())
                .isEqualTo(CniError.INCOMPATIBLE_VERSION);
        Ip.run("ip", "-n", node.name(), "link", "set", (String) r.list("interfaces").get(1).get("name"), "nomaster").ok();
        assertThat(call("CHECK", "x", a).ours(node, "bridge", prev).msg()).contains("not a port of br-l2");
        del("x", a, l2).ok();
    }

    @Test
    void containerInterfaceNameTaken() throws Exception {
        Netns a = ns.add("a");
        add("x", a, conf("")).ok();
        Cni.Out again = add("y", a, conf(""));
        assertThat(again.msg()).contains("eth0", "already exists");
        assertThat(Files.list(data.resolve("podnet")).map(p -> p.getFileName().toString()).filter(f -> f.startsWith("10.")).toList())
                .containsExactly("10.244.2.2");
    }

    private List<String> nodeLinks() {
        return Ip.json(node.name(), "link", "show").stream().map(l -> (String) l.get("ifname")).toList();
    }

    @Test
    void aFirstAddThatCannotWorkChangesNothingInTheNode() throws Exception {
        Netns a = ns.add("a");
        Map<String, Integer> bad = Map.of(
                conf("1.1.0", ",\"isGateway\":true", "\"subnet\":\"10.244.90.0/33\""), CniError.INVALID_CONFIG,
                conf("1.1.0", ",\"isGateway\":true", "\"subnet\":\"not-a-cidr\""), CniError.INVALID_CONFIG,
                conf("1.1.0", ",\"isGateway\":true", "\"subnet\":\"10.244.2.0/24\",\"rangeStart\":\"10.99.0.5\""),
                CniError.INVALID_CONFIG,
                conf("1.1.0", ",\"isGateway\":true", "\"subnet\":\"10.244.2.0/24\"").replace("\"host-local\"", "\"no-such-ipam\""),
                CniError.INVALID_CONFIG);
        for (var e : bad.entrySet()) {
            Cni.Out r = add("bad", a, e.getKey());
            assertThat(r.code()).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(nodeLinks()).as(e.getKey()).containsExactly("lo");
        }
        // CNI_IFNAME already taken in the pod
        Ip.run("ip", "-n", a.name(), "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p").ok();
        assertThat(add("taken", a, conf(",\"isGateway\":true")).msg()).contains("eth0", "already exists");
        assertThat(nodeLinks()).containsExactly("lo");
        assertThat(Files.exists(data.resolve("podnet")) ? Files.list(data.resolve("podnet")).map(p -> p.getFileName().toString())
                .filter(f -> f.startsWith("10.")).toList() : List.of()).isEmpty();
    }

    @Test
    void rollbackTakesBackNodeWideThingsOnlyWhenNobodyElseUsesThem() {
        Root.assumeProgram("nft");
        Netns a = ns.add("a"), b = ns.add("b");
        String good = conf(",\"isGateway\":true,\"ipMasq\":true,\"macspoofchk\":true");
        // fails late: a route whose gateway is unreachable, after bridge, gateway, spoof rule, lease and masquerade
        String failing = conf("1.1.0", ",\"isGateway\":true,\"ipMasq\":true,\"macspoofchk\":true",
                "\"subnet\":\"10.244.2.0/24\",\"routes\":[{\"dst\":\"192.168.0.0/16\",\"gw\":\"10.99.0.1\"}]");

        // the first ADD of the node fails: nothing of it stays, not even the bridge or the nft tables
        assertThat(add("first", b, failing).msg()).contains("failed to add route");
        assertThat(nodeLinks()).containsExactly("lo");
        assertThat(nft(node)).doesNotContain("\"table\"");

        // with a pod attached, a failing ADD keeps everything that pod uses
        Cni.Out ra = add("ctr-a", a, good).ok();
        String ipA = ra.address(0).replace("/24", "");
        assertThat(add("second", b, failing).msg()).contains("failed to add route");
        assertThat(nodeLinks()).contains("cni0");
        assertThat(Ip.json(node.name(), "addr", "show", "cni0").toString()).contains("10.244.2.1");
        assertThat(nft(node)).contains("podnet-spoofchk ctr-a eth0", "pn4-podnet", "\"" + ipA + "\"")
                .doesNotContain("podnet-spoofchk second");
        assertThat(Ip.ping(a.name(), "10.244.2.1", 1)).isTrue();
        del("ctr-a", a, good).ok();
    }

    @Test
    void statusIs51WhenTheBridgeOfThePodsIsDown() {
        Netns a = ns.add("a");
        String c = conf(",\"isGateway\":true");
        add("ctr", a, c).ok();
        Cni status = Cni.of("STATUS", null, null, null);
        status.ours(node, "bridge", c).ok();
        Ip.run("ip", "-n", node.name(), "link", "set", "cni0", "down").ok();
        Cni.Out down = status.ours(node, "bridge", c);
        assertThat(down.code()).isEqualTo(CniError.NOT_AVAILABLE_LIMITED);
        assertThat(down.msg()).contains("cni0 is down");
    }
}
