package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.ThrowawayNamespaces;

/** The article's netA/netB walkthrough, typed as podnet commands; ip(8) and ping are the oracles. */
class VethWalkthroughTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("cliveth");
    Podnet podnet = new Podnet();
    String netA;
    String netB;

    @BeforeEach
    void setUp() {
        netA = namespaces.name("netA");
        netB = namespaces.name("netB");
        namespaces.track(netA);
        namespaces.track(netB);
        podnet.run("netns", "add", netA).ok();
        podnet.run("netns", "add", netB).ok();
    }

    @Test
    void vethPairBetweenNetAAndNetBCarriesAPing() {
        Root.assumeProgram("ping");
        podnet.run("veth", "add", "veth0A", "veth0B", "--netns-a", netA, "--netns-b", netB).ok();
        podnet.run("addr", "add", "192.168.100.1/24", "dev", "veth0A", "-n", netA).ok();
        podnet.run("-n", netB, "addr", "add", "192.168.100.2/24", "dev", "veth0B").ok();
        podnet.run("link", "set", "veth0A", "up", "-n", netA).ok();
        podnet.run("link", "set", "veth0B", "up", "-n", netB).ok();

        Podnet.Result shown = podnet.run("link", "show", "veth0A", "-n", netA).ok();
        assertThat(shown.out()).contains("veth0A -> veth0B@" + netB).contains("type veth")
                .contains("inet 192.168.100.1/24").contains("link/ether");

        List<Map<String, Object>> json = podnet.run("link", "show", "-j", "-n", netB).ok().jsonList();
        Map<String, Object> b = json.stream().filter(m -> "veth0B".equals(m.get("ifname"))).findFirst().orElseThrow();
        assertThat(b.get("peer")).isEqualTo("veth0A@" + netA);
        assertThat(b.get("addresses")).asList().contains("192.168.100.2/24");
        assertThat(b.get("address")).isEqualTo(Ip.link(netB, "veth0B").get("address"));
        assertThat(b.get("mtu")).isEqualTo(1500);

        assertThat(podnet.run("route", "show", "-n", netA).ok().out()).contains("192.168.100.0/24").contains("veth0A");
        assertThat(podnet.run("route", "show", "-j", "-n", netA).ok().jsonList())
                .anySatisfy(r -> assertThat(r).containsEntry("dst", "192.168.100.0/24").containsEntry("dev", "veth0A"));

        assertThat(Ip.ping(netA, "192.168.100.2", 2)).as("ping netA -> netB").isTrue();
        assertThat(podnet.run("neigh", "-n", netA).ok().out()).contains("192.168.100.2")
                .contains(b.get("address").toString());

        podnet.run("addr", "del", "192.168.100.1/24", "dev", "veth0A", "-n", netA).ok();
        assertThat(Ip.json(netA, "-4", "addr", "show", "dev", "veth0A")).allSatisfy(
                l -> assertThat(l.get("addr_info")).asList().isEmpty());
    }

    @Test
    void linkSetNetnsMovesAnEndAndDownTakesItDown() {
        podnet.run("veth", "add", "vmove", "vstay", "-n", netA).ok();
        podnet.run("link", "set", "vmove", "netns", netB, "-n", netA).ok();
        assertThat(Ip.link(netB, "vmove").get("ifname")).isEqualTo("vmove");
        assertThat(Ip.json(netA, "link", "show").stream().map(m -> m.get("ifname"))).doesNotContain("vmove");
        assertThat(podnet.run("link", "show", "vstay", "-n", netA).ok().out()).contains("vstay -> vmove@" + netB);

        podnet.run("link", "set", "vstay", "up", "-n", netA).ok();
        assertThat(Ip.link(netA, "vstay").get("flags")).asList().contains("UP");
        podnet.run("link", "set", "vstay", "down", "-n", netA).ok();
        assertThat(Ip.link(netA, "vstay").get("flags")).asList().doesNotContain("UP");
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        podnet.run("veth", "add", "vbad", "vbad2", "-n", netA).ok();

        Podnet.Result badCidr = podnet.run("addr", "add", "10.0.0.300/24", "dev", "vbad", "-n", netA);
        assertThat(badCidr.exit()).isNotZero();
        assertThat(badCidr.err()).contains("bad address").contains("hint:");
        Podnet.Result badPrefix = podnet.run("addr", "add", "10.0.0.1/33", "dev", "vbad", "-n", netA);
        assertThat(badPrefix.exit()).isNotZero();
        assertThat(Ip.json(netA, "addr", "show", "dev", "vbad").get(0).get("addr_info")).asList().isEmpty();

        Podnet.Result noDev = podnet.run("addr", "add", "10.0.0.1/24", "dev", "nosuch0", "-n", netA);
        assertThat(noDev.exit()).isNotZero();
        assertThat(noDev.err()).contains("nosuch0");

        Podnet.Result exists = podnet.run("veth", "add", "vbad", "other", "-n", netA);
        assertThat(exists.exit()).isNotZero();
        assertThat(exists.err()).contains("EEXIST");
        assertThat(Ip.json(netA, "link", "show").stream().map(m -> m.get("ifname"))).doesNotContain("other");

        Podnet.Result badName = podnet.run("veth", "add", "a/b", "c", "-n", netA);
        assertThat(badName.exit()).isNotZero();
        assertThat(badName.err()).contains("invalid interface name").contains("podnet veth add --help");

        String missing = namespaces.name("missing");
        Podnet.Result noNs = podnet.run("link", "show", "-n", missing);
        assertThat(noNs.exit()).isNotZero();
        assertThat(noNs.err()).contains("does not exist").contains(missing);

        // A bad change anywhere in the list means nothing is applied.
        Podnet.Result bad = podnet.run("link", "set", "vbad", "up", "netns", missing, "-n", netA);
        assertThat(bad.exit()).isNotZero();
        assertThat(Ip.link(netA, "vbad").get("flags")).asList().doesNotContain("UP");
        Podnet.Result unknown = podnet.run("link", "set", "vbad", "sideways", "-n", netA);
        assertThat(unknown.exit()).isNotZero();
        assertThat(unknown.err()).contains("unknown change");
        Podnet.Result notBridge = podnet.run("link", "set", "vbad", "master", "vbad2", "-n", netA);
        assertThat(notBridge.exit()).isNotZero();
        assertThat(notBridge.err()).contains("not a bridge");
    }
}
