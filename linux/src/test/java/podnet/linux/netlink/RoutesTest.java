package podnet.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkException;
import podnet.linux.ns.Netns;
import podnet.linux.sys.Sockets;
import podnet.linux.testing.Ip;
import podnet.linux.testing.ThrowawayNamespaces;

/** Routes in a throwaway namespace, checked against {@code ip -j route}. */
class RoutesTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("route");
    String ns;
    NetlinkHandle h;
    int va;

    @BeforeEach
    void setUp() {
        Netns n = namespaces.add("a");
        ns = n.name();
        h = NetlinkHandle.open(n);
        h.links().addVeth("va", "vb", n, 0);
        h.links().setUp("va");
        h.links().setUp("vb");
        h.addresses().add("va", Cidr.parse("10.0.0.1/24"));
        h.addresses().add("va", Cidr.parse("fd00::1/64"), Address.IFA_F_NODAD);
        va = h.links().require("va").index();
    }

    @AfterEach
    void tearDown() {
        if (h != null) {
            h.close();
        }
    }

    private List<Map<String, Object>> ip(String... args) {
        return Ip.json(ns, args);
    }

    private Map<String, Object> ipRoute(String family, String dst) {
        return ip(family, "route", "show").stream().filter(r -> dst.equals(r.get("dst"))).findFirst()
                .orElseThrow(() -> new AssertionError("ip shows no route to " + dst + ": " + ip(family, "route", "show")));
    }

    @Test
    void listMatchesIp() {
        h.routes().add(Route.of(Cidr.parse("10.1.0.0/16"), Cidr.parseAddress("10.0.0.2"), 0));
        List<String> ours = h.routes().list(Sockets.AF_INET).stream().map(Route::destinationText).toList();
        List<Object> theirs = ip("-4", "route", "show").stream().map(r -> r.get("dst")).toList();
        assertThat(ours).containsExactlyInAnyOrderElementsOf(theirs.stream().map(Object::toString).toList());
        // Link-local fe80::/64 routes come and go with IPv6 autoconfiguration: not comparable.
        assertThat(h.routes().list(Sockets.AF_INET6)).extracting(Route::destinationText)
                .filteredOn(d -> !d.startsWith("fe80:"))
                .containsExactlyInAnyOrderElementsOf(ip("-6", "route", "show").stream().map(r -> r.get("dst").toString())
                        .filter(d -> !d.startsWith("fe80:")).toList());
        assertThat(h.routes().listTable(0, 0)).as("every table")
                .anyMatch(r -> r.table() == Route.TABLE_LOCAL && r.type() == Route.TYPE_LOCAL);
        assertThat(h.routes().list(0)).allMatch(r -> r.table() == Route.TABLE_MAIN);
    }

    @Test
    void viaAGateway() {
        h.routes().add(Route.of(Cidr.parse("10.1.0.0/16"), Cidr.parseAddress("10.0.0.2"), 0));
        assertThat(ipRoute("-4", "10.1.0.0/16")).containsEntry("gateway", "10.0.0.2").containsEntry("dev", "va");
        Route r = h.routes().list(Sockets.AF_INET).stream().filter(x -> "10.1.0.0/16".equals(x.destinationText()))
                .findFirst().orElseThrow();
        assertThat(r.gateway()).isEqualTo(Cidr.parseAddress("10.0.0.2"));
        assertThat(r.oif()).isEqualTo(va);
        assertThat(r.protocol()).isEqualTo(Route.PROTO_BOOT);
    }

    @Test
    void aDestinationWithHostBitsIsTheNetwork() {
        h.routes().add(Route.of(Cidr.parse("10.1.2.3/16"), Cidr.parseAddress("10.0.0.2"), 0));
        assertThat(ipRoute("-4", "10.1.0.0/16")).containsEntry("gateway", "10.0.0.2");
    }

    @Test
    void defaultRouteViaAGateway() {
        h.routes().add(Route.of(null, Cidr.parseAddress("10.0.0.254"), 0));
        assertThat(ipRoute("-4", "default")).containsEntry("gateway", "10.0.0.254").containsEntry("dev", "va");
        assertThat(h.routes().list(Sockets.AF_INET)).filteredOn(Route::isDefault).singleElement()
                .satisfies(r -> assertThat(r.gateway()).isEqualTo(Cidr.parseAddress("10.0.0.254")));
        h.routes().delete(Route.of(null, Cidr.parseAddress("10.0.0.254"), 0));
        assertThat(h.routes().list(Sockets.AF_INET)).noneMatch(Route::isDefault);
    }

    @Test
    void linkScopeRouteWithoutGateway() {
        h.routes().add(Route.of(Cidr.parse("10.3.0.0/16"), null, va));
        assertThat(ipRoute("-4", "10.3.0.0/16")).containsEntry("scope", "link").containsEntry("dev", "va")
                .doesNotContainKey("gateway");
        Route r = h.routes().list(Sockets.AF_INET).stream().filter(x -> "10.3.0.0/16".equals(x.destinationText()))
                .findFirst().orElseThrow();
        assertThat(r.scope()).isEqualTo(Route.SCOPE_LINK);
        assertThat(r.gateway()).isNull();
    }

    @Test
    void replaceChangesTheGatewayAndAddsWhenAbsent() {
        Cidr dst = Cidr.parse("10.1.0.0/16");
        h.routes().replace(Route.of(dst, Cidr.parseAddress("10.0.0.2"), 0));
        h.routes().replace(Route.of(dst, Cidr.parseAddress("10.0.0.3"), 0));
        assertThat(ip("-4", "route", "show").stream().filter(r -> "10.1.0.0/16".equals(r.get("dst"))))
                .singleElement().satisfies(r -> assertThat(r).containsEntry("gateway", "10.0.0.3"));
    }

    @Test
    void mtuMetric() {
        Route r = new Route(Sockets.AF_INET, Cidr.parse("10.4.0.0/16"), Cidr.parseAddress("10.0.0.2"), 0,
                Route.TABLE_MAIN, Route.PROTO_STATIC, Route.SCOPE_UNIVERSE, Route.TYPE_UNICAST, 0, null, 1400);
        h.routes().add(r);
        Map<String, Object> theirs = ipRoute("-4", "10.4.0.0/16");
        assertThat(theirs.get("metrics").toString()).contains("mtu=1400");
        assertThat(theirs).containsEntry("protocol", "static");
        assertThat(h.routes().list(Sockets.AF_INET)).filteredOn(x -> "10.4.0.0/16".equals(x.destinationText()))
                .singleElement().satisfies(x -> assertThat(x.mtu()).isEqualTo(1400));
    }

    @Test
    void ipv6Routes() {
        h.routes().add(Route.of(Cidr.parse("fd01::/64"), Cidr.parseAddress("fd00::2"), 0));
        h.routes().add(Route.of(null, Cidr.parseAddress("fd00::fe"), 0));
        assertThat(ipRoute("-6", "fd01::/64")).containsEntry("gateway", "fd00::2").containsEntry("dev", "va");
        assertThat(ipRoute("-6", "default")).containsEntry("gateway", "fd00::fe");
        List<Route> ours = h.routes().list(Sockets.AF_INET6);
        assertThat(ours).filteredOn(r -> "fd01::/64".equals(r.destinationText())).singleElement()
                .satisfies(r -> {
                    assertThat(r.family()).isEqualTo(Sockets.AF_INET6);
                    assertThat(r.priority()).isEqualTo(1024);
                });
        h.routes().delete(Route.of(Cidr.parse("fd01::/64"), Cidr.parseAddress("fd00::2"), 0));
        assertThat(ip("-6", "route", "show")).noneMatch(r -> "fd01::/64".equals(r.get("dst")));
    }

    @Test
    void deleteAndItsFailures() {
        Route r = Route.of(Cidr.parse("10.1.0.0/16"), Cidr.parseAddress("10.0.0.2"), 0);
        h.routes().add(r);
        assertThatThrownBy(() -> h.routes().add(r)).isInstanceOf(NetlinkException.class)
                .hasMessageStartingWith("add route 10.1.0.0/16 via 10.0.0.2 in netns " + ns).hasMessageContaining("EEXIST");
        h.routes().delete(r);
        assertThat(ip("-4", "route", "show")).noneMatch(x -> "10.1.0.0/16".equals(x.get("dst")));
        assertThatThrownBy(() -> h.routes().delete(r)).isInstanceOf(NetlinkException.class)
                .hasMessageStartingWith("delete route 10.1.0.0/16 via 10.0.0.2 in netns " + ns)
                .hasMessageContaining("ESRCH");
    }

    @Test
    void anUnreachableGatewayIsRefusedWithTheKernelsReason() {
        assertThatThrownBy(() -> h.routes().add(Route.of(Cidr.parse("10.9.0.0/16"), Cidr.parseAddress("10.5.0.1"), 0)))
                .isInstanceOf(NetlinkException.class)
                .hasMessageContaining("add route 10.9.0.0/16 via 10.5.0.1 in netns " + ns)
                .hasMessageContaining("Nexthop has invalid gateway");
    }
}
