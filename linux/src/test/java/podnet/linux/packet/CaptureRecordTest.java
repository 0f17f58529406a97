package podnet.linux.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static podnet.linux.packet.FrameBuilder.BROADCAST;
import static podnet.linux.packet.FrameBuilder.arp;
import static podnet.linux.packet.FrameBuilder.ether;
import static podnet.linux.packet.FrameBuilder.vlan;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.packet.decode.Summary;
import podnet.linux.packet.filter.CaptureFilter;
import podnet.linux.packet.pcap.PcapReader;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/** Capture.record: frames from the ring straight into a pcap file, as run() + PcapWriter would write them. */
class CaptureRecordTest {
    static final Executor PLATFORM = r -> Thread.ofPlatform().start(r);

    TestNetns namespaces;
    VethPair pair;
    @TempDir
    Path dir;

    @BeforeEach
    void setUp() {
        namespaces = new TestNetns("caprec");
        Root.assumeProgram("ping");
        pair = VethPair.create(namespaces);
    }

    @AfterEach
    void tearDown() {
        namespaces.close();
    }

    static List<String> summaries(List<CapturedPacket> frames) {
        return frames.stream().map(p -> Summary.of(p.data(), p.wireLength())).toList();
    }

    @Test
    void theFileHoldsWhatASideBySideCaptureSawAndTcpdumpReadsIt() throws Exception {
        Path file = dir.resolve("rec.pcap");
        List<CapturedPacket> seen = Collections.synchronizedList(new ArrayList<>());
        long written;
        // The same kernel filter on both: the link's own IPv6 chatter comes and goes between two opens.
        CaptureFilter ping = CaptureFilter.parse("icmp or arp");
        try (Capture watch = Capture.open(pair.netA(), pair.devA(), ping, CaptureOptions.defaults());
                Capture rec = Capture.open(pair.netA(), pair.devA(), ping, CaptureOptions.defaults())) {
            CompletableFuture<Long> w = CompletableFuture.supplyAsync(() -> watch.run(seen::add), PLATFORM);
            CompletableFuture<Long> r = CompletableFuture.supplyAsync(() -> rec.record(file, Long.MAX_VALUE, null), PLATFORM);
            assertThat(Ip.ping(pair.netA().name(), VethPair.B, 3)).isTrue();
            Thread.sleep(2 * CaptureOptions.defaults().blockTimeoutMillis() + 100);
            watch.stop();
            rec.stop();
            w.get(5, TimeUnit.SECONDS);
            written = r.get(5, TimeUnit.SECONDS);
        }
        List<CapturedPacket> fromFile = PcapReader.read(file);
        assertThat(fromFile).hasSize((int) written).hasSizeGreaterThanOrEqualTo(8);
        assertThat(summaries(fromFile)).containsExactlyElementsOf(summaries(seen));
        for (int i = 0; i < fromFile.size(); i++) {
            assertThat(fromFile.get(i).data()).isEqualTo(seen.get(i).data());
            // each socket stamps its own copy: the same moment give or take a few microseconds
            assertThat(fromFile.get(i).timestampNanos()).isCloseTo(seen.get(i).timestampNanos(), within(1_000_000L));
        }
        if (Root.has("tcpdump")) {
            assertThat(Oracle.tcpdump(file)).containsExactlyElementsOf(summaries(seen));
        }
    }

    @Test
    void stopsAfterTheCountWithTheSnapLength() throws Exception {
        Path file = dir.resolve("three.pcap");
        try (Capture c = Capture.open(pair.netA(), pair.devA(), CaptureFilter.parse("icmp"),
                CaptureOptions.defaults().withSnapLength(40))) {
            CompletableFuture.runAsync(() -> Ip.ping(pair.netA().name(), VethPair.B, 3), PLATFORM);
            assertThat(c.record(file, 3, Duration.ofSeconds(20))).isEqualTo(3);
        }
        assertThat(PcapReader.read(file)).hasSize(3).allSatisfy(p -> {
            assertThat(p.data()).hasSize(40);
            assertThat(p.wireLength()).isEqualTo(98);
        });
    }

    @Test
    void aFilterThatRunsHereStillRecords() throws Exception {
        Path file = dir.resolve("arp.pcap");
        try (Capture c = Capture.open(pair.netA(), pair.devA(), CaptureFilter.parse("not vlan and arp"),
                CaptureOptions.defaults())) {
            assertThat(c.filter().inKernel()).isFalse();
            CompletableFuture.runAsync(() -> Ip.ping(pair.netA().name(), VethPair.B, 1), PLATFORM);
            assertThat(c.record(file, 1, Duration.ofSeconds(20))).isEqualTo(1);
        }
        assertThat(summaries(PcapReader.read(file))).singleElement().satisfies(l -> assertThat(l).startsWith("ARP, "));
    }

    @Test
    void aTaggedFrameIsWrittenWithItsTag() throws Exception {
        byte[] tagged = ether(BROADCAST, FrameBuilder.MAC_A, 0x8100,
                vlan(0x600a, 0x0806, arp(1, FrameBuilder.MAC_A, "10.9.0.1", new byte[6], "10.9.0.2")));
        Path file = dir.resolve("vlan.pcap");
        try (Capture c = Capture.open(pair.netB(), pair.devB(), CaptureFilter.parse("vlan 10 and arp"), CaptureOptions.defaults());
                PacketSocket sender = PacketSocket.open(pair.netA());
                NetlinkHandle h = NetlinkHandle.open(pair.netA())) {
            CompletableFuture<Long> r = CompletableFuture.supplyAsync(() -> c.record(file, 1, Duration.ofSeconds(20)), PLATFORM);
            sender.bind(h.links().require(pair.devA()).index());
            Thread.sleep(100);
            sender.send(tagged);
            assertThat(r.get(25, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(PcapReader.read(file)).singleElement().satisfies(p -> assertThat(p.data()).isEqualTo(tagged));
    }

    @Test
    void aStopWaitsForTheBlockTheKernelIsFilling() throws Exception {
        Path file = dir.resolve("tail.pcap");
        // A block timeout far longer than the test: the frames can only come from the wait at stop.
        CaptureOptions slow = CaptureOptions.defaults().withBlockTimeout(3000);
        try (Capture c = Capture.open(pair.netA(), pair.devA(), CaptureFilter.parse("icmp"), slow)) {
            c.warmUpRecord();
            CompletableFuture<Long> r = CompletableFuture.supplyAsync(() -> c.record(file, Long.MAX_VALUE, null), PLATFORM);
            assertThat(Ip.ping(pair.netA().name(), VethPair.B, 1)).isTrue();
            long t0 = System.nanoTime();
            c.stop();
            assertThat(r.get(10, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(3000 + 50 + 2000));
        }
        assertThat(summaries(PcapReader.read(file))).hasSize(2).allSatisfy(l -> assertThat(l).contains("ICMP echo"));
    }

    @Test
    void withoutAFilterTheKernelCutsToTheSnapLength() throws Exception {
        Path file = dir.resolve("cut.pcap");
        try (Capture c = Capture.open(pair.netA(), pair.devA(), CaptureFilter.ALL, CaptureOptions.defaults().withSnapLength(40))) {
            CompletableFuture.runAsync(() -> Ip.ping(pair.netA().name(), VethPair.B, 2), PLATFORM);
            assertThat(c.record(file, 4, Duration.ofSeconds(20))).isEqualTo(4);
        }
        assertThat(PcapReader.read(file)).hasSize(4).allSatisfy(p -> assertThat(p.data().length).isLessThanOrEqualTo(40))
                .anySatisfy(p -> assertThat(p.wireLength()).isEqualTo(98));
    }
}
