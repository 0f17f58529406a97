package podnet.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;
import podnet.linux.netlink.nl.NlMessage;
import podnet.linux.netlink.nl.Rtm;
import podnet.linux.testing.HexFixtures;

/**
 * The record parsers on dumps captured from the kernel (see {@code CaptureFixturesHarness}):
 * a "node" netns with lo, bridge br0 (02:00:00:00:00:b0, 10.244.2.1/24, fd00:10::1/64 nodad),
 * veth0 (02:00:00:00:00:01, mtu 1400, port of br0 with hairpin on, learning off, isolated) whose
 * peer eth0 (10.244.2.7/24) lives in a "pod" netns, a route 10.99.0.0/16 via 10.244.2.7 on the
 * node and a default route via 10.244.2.1 in the pod. Expected values are what {@code ip -j}
 * printed for the same namespaces.
 */
class KernelReplyParsingTest {
    private static <T> List<T> parse(String fixture, int type, Function<NlMessage, T> parser) {
        return HexFixtures.messages(fixture).stream().filter(m -> m.type() == type).map(parser).toList();
    }

    @Test
    void links() {
        List<Link> links = parse("links.hex", Rtm.NEWLINK, Links::parse);
        assertThat(links).extracting(Link::index, Link::name, Link::kind)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "lo", null),
                        org.assertj.core.groups.Tuple.tuple(2, "br0", "bridge"),
                        org.assertj.core.groups.Tuple.tuple(3, "veth0", "veth"));

        Link lo = links.get(0);
        assertThat(lo.mtu()).isEqualTo(65536);
        assertThat(lo.isUp()).isTrue();
        assertThat((lo.flags() & Rtm.IFF_LOOPBACK) != 0).isTrue();
        assertThat(lo.operStateName()).isEqualTo("UNKNOWN");

        Link br = links.get(1);
        assertThat(br.mac()).isEqualTo(MacAddress.parse("02:00:00:00:00:b0"));
        assertThat(br.mtu()).isEqualTo(1400);
        assertThat(br.operStateName()).isEqualTo("UP");
        assertThat(br.isBridge()).isTrue();
        assertThat(br.bridge()).isEqualTo(new BridgeInfo(false, false, 30000, "8000.0200000000b0"));
        assertThat(br.port()).isNull();
        assertThat(br.hasMaster()).isFalse();

        Link veth = links.get(2);
        assertThat(veth.mac()).isEqualTo(MacAddress.parse("02:00:00:00:00:01"));
        assertThat(veth.mtu()).isEqualTo(1400);
        assertThat(veth.masterIndex()).isEqualTo(2);
        assertThat(veth.slaveKind()).isEqualTo("bridge");
        assertThat(veth.port()).isEqualTo(new BridgePort(BridgePort.STATE_FORWARDING, true, false, true, true));
        assertThat(veth.linkIndex()).as("peer eth0's index in the pod").isEqualTo(2);
        assertThat(veth.linkNetnsId()).as("link_netnsid").isEqualTo(0);
        assertThat(veth.promiscuity()).as("a bridge port is promiscuous").isEqualTo(1);
        assertThat(veth.isUp()).isTrue();
        assertThat(veth.isLowerUp()).isTrue();
        assertThat(veth.stats()).isNotNull();
    }

    @Test
    void thePodSideOfAVeth() {
        List<Link> links = parse("links-pod.hex", Rtm.NEWLINK, Links::parse);
        assertThat(links).extracting(Link::name).containsExactly("lo", "eth0");
        assertThat(links.get(0).isUp()).as("lo is down in a new netns").isFalse();
        assertThat(links.get(0).operStateName()).isEqualTo("DOWN");
        Link eth0 = links.get(1);
        assertThat(eth0.isVeth()).isTrue();
        assertThat(eth0.linkIndex()).isEqualTo(3);
        assertThat(eth0.linkNetnsId()).isEqualTo(0);
        assertThat(eth0.mtu()).isEqualTo(1400);
        assertThat(eth0.slaveKind()).isNull();
        assertThat(eth0.port()).isNull();
        assertThat(eth0.stats().txPackets()).as("it has sent its IPv6 router/neighbour solicitations or nothing")
                .isGreaterThanOrEqualTo(0);
    }

    @Test
    void addresses() {
        List<Address> all = parse("addresses.hex", Rtm.NEWADDR, Addresses::parse);
        assertThat(all).extracting(a -> a.index() + " " + a.cidr()).containsExactlyInAnyOrder(
                "1 127.0.0.1/8", "1 ::1/128", "2 10.244.2.1/24", "2 fd00:10::1/64",
                "2 fe80::ff:fe00:b0/64", "3 fe80::ff:fe00:1/64");
        Address v4 = all.stream().filter(a -> a.cidr().equals(Cidr.parse("10.244.2.1/24"))).findFirst().orElseThrow();
        assertThat(v4.isIpv4()).isTrue();
        assertThat(v4.label()).isEqualTo("br0");
        assertThat(v4.scope()).as("global").isZero();
        assertThat(v4.flags() & Address.IFA_F_PERMANENT).isNotZero();
        Address v6 = all.stream().filter(a -> a.cidr().equals(Cidr.parse("fd00:10::1/64"))).findFirst().orElseThrow();
        assertThat(v6.flags() & Address.IFA_F_NODAD).isNotZero();
        assertThat(v6.isTentative()).isFalse();
        Address linkLocal = all.stream().filter(a -> a.index() == 3).findFirst().orElseThrow();
        assertThat(linkLocal.isTentative()).as("ip -j says tentative").isTrue();
        assertThat(linkLocal.scope()).isEqualTo(Route.SCOPE_LINK);
        assertThat(all.stream().filter(a -> a.index() == 1).findFirst().orElseThrow().scope()).isEqualTo(Route.SCOPE_HOST);
    }

    @Test
    void routes() {
        List<Route> all = parse("routes.hex", Rtm.NEWROUTE, Routes::parse);
        assertThat(all).hasSize(14);
        List<Route> main = all.stream().filter(r -> r.table() == Route.TABLE_MAIN).toList();
        assertThat(main).extracting(r -> r.destinationText() + " " + r.oif())
                .containsExactly("10.99.0.0/16 2", "10.244.2.0/24 2", "fd00:10::/64 2", "fe80::/64 3", "fe80::/64 2");

        Route viaGateway = main.get(0);
        assertThat(viaGateway.gateway()).isEqualTo(Cidr.parseAddress("10.244.2.7"));
        assertThat(viaGateway.protocol()).isEqualTo(Route.PROTO_BOOT);
        assertThat(viaGateway.scope()).isEqualTo(Route.SCOPE_UNIVERSE);
        assertThat(viaGateway.type()).isEqualTo(Route.TYPE_UNICAST);

        Route connected = main.get(1);
        assertThat(connected.gateway()).isNull();
        assertThat(connected.protocol()).isEqualTo(Route.PROTO_KERNEL);
        assertThat(connected.scope()).isEqualTo(Route.SCOPE_LINK);
        assertThat(connected.prefSrc()).isEqualTo(Cidr.parseAddress("10.244.2.1"));

        Route v6 = main.get(2);
        assertThat(v6.family()).isEqualTo(10);
        assertThat(v6.priority()).as("metric").isEqualTo(256);

        assertThat(all).filteredOn(r -> r.table() == Route.TABLE_LOCAL)
                .extracting(r -> r.type() + " " + r.destinationText())
                .contains(Route.TYPE_LOCAL + " 10.244.2.1/32", Route.TYPE_BROADCAST + " 10.244.2.255/32",
                        Route.TYPE_LOCAL + " 127.0.0.0/8", Route.TYPE_LOCAL + " fd00:10::1/128");
    }

    @Test
    void theDefaultRoute() {
        List<Route> main = parse("routes-pod.hex", Rtm.NEWROUTE, Routes::parse).stream()
                .filter(r -> r.table() == Route.TABLE_MAIN).toList();
        assertThat(main).hasSize(2);
        Route dflt = main.get(0);
        assertThat(dflt.isDefault()).isTrue();
        assertThat(dflt.destination()).isNull();
        assertThat(dflt.destinationText()).isEqualTo("default");
        assertThat(dflt.gateway()).isEqualTo(Cidr.parseAddress("10.244.2.1"));
        assertThat(dflt.oif()).isEqualTo(2);
        assertThat(dflt.family()).isEqualTo(2);
    }
}
