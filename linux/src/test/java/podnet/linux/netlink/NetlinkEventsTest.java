package podnet.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;
import podnet.linux.ns.Netns;
import podnet.linux.testing.TestNetns;

/** Changes made in a throwaway namespace arrive as notifications, each decoded to its kind. */
class NetlinkEventsTest {
    @Test
    void linksAddressesNeighboursFdbAndRoutesAreAnnounced() throws Exception {
        try (TestNetns ns = new TestNetns("observe")) {
            Netns node = ns.add("events");
            Netns pod = ns.add("eventsPod");
            List<NetlinkEvent> seen = new ArrayList<>();
            try (NetlinkEvents events = NetlinkEvents.open(node, EnumSet.allOf(NetlinkEvents.Kind.class));
                    NetlinkHandle h = NetlinkHandle.open(node)) {
                h.links().addBridge("br0", 0, false);
                h.links().addVeth("vport", "eth0", pod, 0);
                h.links().setMaster("vport", "br0");
                h.links().setUp("br0");
                h.links().setUp("vport");
                h.addresses().add("br0", Cidr.parse("10.250.2.1/24"));
                h.neighbours().replacePermanent("br0", InetAddress.getByName("10.250.2.9"),
                        MacAddress.parse("02:00:00:00:00:09"));
                h.links().delete("vport");
                long until = System.currentTimeMillis() + 3000;
                while (System.currentTimeMillis() < until && !all(seen)) {
                    seen.addAll(events.next(100));
                }
            }
            assertThat(seen).anyMatch(is(NetlinkEvent.LinkChanged.class, e -> !e.removed() && "br0".equals(e.link().name())));
            assertThat(seen).anyMatch(is(NetlinkEvent.LinkChanged.class, e -> !e.removed() && "vport".equals(e.link().name())
                    && e.link().hasMaster()));
            assertThat(seen).anyMatch(is(NetlinkEvent.LinkChanged.class, e -> e.removed() && "vport".equals(e.link().name())));
            assertThat(seen).anyMatch(is(NetlinkEvent.AddressChanged.class, e -> !e.removed()
                    && e.address().cidr().equals(Cidr.parse("10.250.2.1/24"))));
            assertThat(seen).anyMatch(is(NetlinkEvent.NeighbourChanged.class, e -> !e.removed()
                    && Cidr.text(e.neighbour().ip()).equals("10.250.2.9")));
            assertThat(seen).anyMatch(is(NetlinkEvent.FdbChanged.class, e -> e.entry().masterIndex() != 0));
            assertThat(seen).anyMatch(is(NetlinkEvent.RouteChanged.class, e -> !e.removed() && e.route().destination() != null
                    && e.route().destination().equals(Cidr.parse("10.250.2.0/24"))));
        }
    }

    @Test
    void nothingHappensMeansAnEmptyWait() {
        try (TestNetns ns = new TestNetns("observe");
                NetlinkEvents events = NetlinkEvents.open(ns.add("quiet"), EnumSet.of(NetlinkEvents.Kind.LINK))) {
            long t0 = System.nanoTime();
            assertThat(events.next(150)).isEmpty();
            assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(100);
        }
    }

    @Test
    void aBurstOfChangesIsOneAwaitedChange() {
        try (TestNetns ns = new TestNetns("observe")) {
            Netns node = ns.add("burst");
            try (NetlinkEvents events = NetlinkEvents.open(node, EnumSet.of(NetlinkEvents.Kind.LINK));
                    NetlinkHandle h = NetlinkHandle.open(node)) {
                assertThat(events.awaitChange(50)).isFalse();
                for (int i = 0; i < 5; i++) {
                    h.links().addBridge("burst" + i, 0, false);
                }
                assertThat(events.awaitChange(2000)).isTrue(); // the kernel queued all five before the ACKs
                assertThat(events.awaitChange(50)).isFalse();
            }
        }
    }

    private static boolean all(List<NetlinkEvent> seen) {
        return seen.stream().anyMatch(e -> e instanceof NetlinkEvent.LinkChanged l && l.removed())
                && seen.stream().anyMatch(e -> e instanceof NetlinkEvent.NeighbourChanged)
                && seen.stream().anyMatch(e -> e instanceof NetlinkEvent.FdbChanged)
                && seen.stream().anyMatch(e -> e instanceof NetlinkEvent.RouteChanged);
    }

    private static <T extends NetlinkEvent> Predicate<NetlinkEvent> is(Class<T> type, Predicate<T> p) {
        return e -> type.isInstance(e) && p.test(type.cast(e));
    }
}
