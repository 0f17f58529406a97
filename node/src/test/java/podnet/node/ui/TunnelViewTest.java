package podnet.node.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;
import podnet.linux.netlink.Neighbour;
import podnet.linux.netlink.RemoteFdbEntry;
import podnet.linux.netlink.Route;

/** A VTEP's peers joined from FDB, neighbours and routes, and what each one lacks. */
class TunnelViewTest {
    static final int VTEP = 7, OTHER = 3;
    static final MacAddress M2 = MacAddress.parse("02:00:00:00:00:02"), M3 = MacAddress.parse("02:00:00:00:00:03");

    static RemoteFdbEntry fdb(MacAddress mac, String dst) {
        return new RemoteFdbEntry(VTEP, mac, Cidr.parseAddress(dst), Neighbour.NUD_PERMANENT, 0);
    }

    static Neighbour neigh(int index, String ip, MacAddress mac) {
        return new Neighbour(index, Cidr.parseAddress(ip), mac, Neighbour.NUD_PERMANENT, 0);
    }

    static Route route(String subnet, String gw) {
        return Route.onlink(Cidr.parse(subnet), Cidr.parseAddress(gw), VTEP);
    }

    @Test
    void aCompletePeerHasAllThree() {
        List<TunnelView.Peer> peers = TunnelView.peers(VTEP, List.of(fdb(M2, "192.168.50.12")),
                List.of(neigh(VTEP, "10.244.2.0", M2), neigh(OTHER, "10.244.9.9", M2)), List.of(route("10.244.2.0/24", "10.244.2.0")));
        assertThat(peers).containsExactly(new TunnelView.Peer("02:00:00:00:00:02", "192.168.50.12", "10.244.2.0", "10.244.2.0/24", List.of()));
    }

    @Test
    void eachMissingEntryIsNamed() {
        List<TunnelView.Peer> peers = TunnelView.peers(VTEP,
                List.of(fdb(M2, "192.168.50.12"), fdb(MacAddress.parse("00:00:00:00:00:00"), "192.168.50.99")),
                List.of(neigh(VTEP, "10.244.3.0", M3)), List.of(route("10.244.4.0/24", "10.244.4.0")));
        assertThat(peers).containsExactly(
                new TunnelView.Peer("02:00:00:00:00:02", "192.168.50.12", null, null, List.of("neighbour", "route")),
                new TunnelView.Peer("02:00:00:00:00:03", null, "10.244.3.0", null, List.of("fdb", "route")),
                new TunnelView.Peer(null, null, "10.244.4.0", "10.244.4.0/24", List.of("neighbour", "fdb")));
    }
}
