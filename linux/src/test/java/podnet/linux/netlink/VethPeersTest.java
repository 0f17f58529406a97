package podnet.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;
import podnet.linux.testing.Ip;
import podnet.linux.testing.ThrowawayNamespaces;

/** A veth's peer: ifindex and namespace, as {@code ip -j link} + {@code ip netns list-id} show them. */
class VethPeersTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("peer");
    Netns nsA, nsB;
    NetlinkHandle inA, inB;

    @BeforeEach
    void setUp() {
        nsA = namespaces.add("a");
        nsB = namespaces.add("b");
        inA = NetlinkHandle.open(nsA);
        inB = NetlinkHandle.open(nsB);
    }

    @AfterEach
    void tearDown() {
        if (inA != null) {
            inA.close();
            inB.close();
        }
    }

    @Test
    void peerInANamedNetns() {
        Link v = inA.links().addVeth("host0", "eth0", nsB, 0);
        VethPeers.Peer peer = VethPeers.of(inA, v).orElseThrow();
        assertThat(peer.index()).isEqualTo(inB.links().require("eth0").index());
        assertThat(peer.name()).isEqualTo("eth0");
        assertThat(peer.netns()).isEqualTo(nsB);
        assertThat(peer.label()).isEqualTo("eth0@" + nsB.name());

        // ip: link_index + link_netnsid, and list-id names that nsid.
        Map<String, Object> theirs = Ip.link(nsA.name(), "host0");
        assertThat(((Number) theirs.get("link_index")).intValue()).isEqualTo(peer.index());
        int nsid = ((Number) theirs.get("link_netnsid")).intValue();
        assertThat(Ip.json(nsA.name(), "netns", "list-id")).anySatisfy(m -> {
            assertThat(((Number) m.get("nsid")).intValue()).isEqualTo(nsid);
            assertThat(m.get("name")).isEqualTo(peer.netns().name());
        });

        // And back from the other side.
        VethPeers.Peer back = VethPeers.of(inB, inB.links().require("eth0")).orElseThrow();
        assertThat(back.name()).isEqualTo("host0");
        assertThat(back.netns()).isEqualTo(nsA);
    }

    @Test
    void peerInTheSameNetns() {
        Link v = inA.links().addVeth("x0", "x1", nsA, 0);
        VethPeers.Peer peer = VethPeers.of(inA, v).orElseThrow();
        assertThat(peer.name()).isEqualTo("x1");
        assertThat(peer.netns()).isEqualTo(nsA);
        assertThat(peer.sameNetns()).isTrue();
        assertThat(peer.label()).isEqualTo("x1");
    }

    @Test
    void notAVeth() {
        Link ifb = inA.links().addIfb("spare0");
        assertThat(VethPeers.of(inA, ifb)).isEmpty();
        assertThat(VethPeers.of(inA, inA.links().require("lo"))).isEmpty();
    }

    @Test
    void peerInANamespaceWithNoNameLeft() {
        String gone = namespaces.name("gone");
        Netns nsGone = namespaces.add("gone");
        try (NetlinkHandle pin = NetlinkHandle.open(nsGone)) { // the socket keeps the netns alive
            Link v = inA.links().addVeth("lost0", "eth0", nsGone, 0);
            NamedNetns.delete(gone);
            VethPeers.Peer peer = VethPeers.of(inA, inA.links().require("lost0")).orElseThrow();
            assertThat(peer.index()).isEqualTo(pin.links().require("eth0").index());
            assertThat(peer.name()).isNull();
            assertThat(peer.netns()).isNull();
            assertThat(peer.label()).isEqualTo("if" + peer.index() + "@?");
            assertThat(v.linkNetnsId()).isNotNull();
            inA.links().delete("lost0");
        }
    }
}
