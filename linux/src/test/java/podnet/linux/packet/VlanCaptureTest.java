package podnet.linux.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static podnet.linux.packet.FrameBuilder.BROADCAST;
import static podnet.linux.packet.FrameBuilder.arp;
import static podnet.linux.packet.FrameBuilder.ether;
import static podnet.linux.packet.FrameBuilder.vlan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.packet.decode.EthernetFrame;
import podnet.linux.packet.decode.FrameDecoder;
import podnet.linux.packet.decode.Summary;
import podnet.linux.packet.decode.VlanTag;
import podnet.linux.packet.filter.CaptureFilter;
import podnet.linux.testing.ThrowawayNamespaces;

/**
 * An 802.1Q-tagged frame sent from A arrives at B with its tag moved out of the frame by the
 * kernel (skb_vlan_untag); the capture on B puts it back, as libpcap does.
 */
class VlanCaptureTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("capvlan");

    @Test
    void taggedFramesComeWithTheirTag() throws Exception {
        VethPair pair = VethPair.create(namespaces.current());
        byte[] zero = new byte[6];
        byte[] tagged = ether(BROADCAST, FrameBuilder.MAC_A, 0x8100,
                vlan(0x600a, 0x0806, arp(1, FrameBuilder.MAC_A, "10.9.0.1", zero, "10.9.0.2"))); // prio 3, VLAN 10
        List<CapturedPacket> all = Collections.synchronizedList(new ArrayList<>());
        List<CapturedPacket> vlan10 = Collections.synchronizedList(new ArrayList<>());
        try (Capture c1 = Capture.open(pair.netB(), pair.devB());
                Capture c2 = Capture.open(pair.netB(), pair.devB(), CaptureFilter.parse("vlan 10 and arp"),
                        CaptureOptions.defaults());
                PacketSocket sender = PacketSocket.open(pair.netA());
                NetlinkHandle h = NetlinkHandle.open(pair.netA())) {
            CompletableFuture<Long> r1 = CompletableFuture.supplyAsync(() -> c1.run(all::add), r -> Thread.ofPlatform().start(r));
            CompletableFuture<Long> r2 = CompletableFuture.supplyAsync(() -> c2.run(vlan10::add), r -> Thread.ofPlatform().start(r));
            sender.bind(h.links().require(pair.devA()).index());
            sender.send(tagged);
            // Wait for both (a fixed sleep lost the race on a loaded machine: a capture stopped
            // before its thread first ran delivers nothing).
            for (long end = System.nanoTime() + 5_000_000_000L; (all.isEmpty() || vlan10.isEmpty()) && System.nanoTime() < end; ) {
                Thread.sleep(20);
            }
            Thread.sleep(100); // and whatever else came with them
            c1.stop();
            c2.stop();
            r1.get(5, TimeUnit.SECONDS);
            r2.get(5, TimeUnit.SECONDS);
        }
        CapturedPacket got = all.stream()
                .filter(p -> Summary.of(p.data(), p.wireLength()).equals("ARP, Request who-has 10.9.0.2 tell 10.9.0.1, length 28"))
                .findFirst().orElseThrow(() -> new AssertionError("tagged ARP not seen: "
                        + all.stream().map(p -> Summary.of(p.data(), p.wireLength())).toList()));
        assertThat(got.data()).isEqualTo(tagged);
        assertThat(got.wireLength()).isEqualTo(tagged.length);
        assertThat(got.type()).isEqualTo(PacketType.BROADCAST);
        EthernetFrame f = FrameDecoder.decode(got.data(), got.wireLength());
        assertThat(f.vlans()).containsExactly(new VlanTag(0x8100, 3, false, 10));
        assertThat(vlan10).hasSize(1);
    }
}
