package podnet.linux.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;
import podnet.linux.packet.decode.Summary;
import podnet.linux.packet.filter.CaptureFilter;
import podnet.linux.packet.pcap.PcapWriter;
import podnet.linux.sys.Errno;
import podnet.linux.sys.SysException;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.ThrowawayNamespaces;

/** Captures on a veth in a throwaway namespace while the namespaces ping each other. */
class CaptureTest {
    /** A thread per task: the common pool may have a single worker on a 2-core machine. */
    static final java.util.concurrent.Executor PLATFORM = r -> Thread.ofPlatform().start(r);

    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("cap");
    VethPair pair;

    @TempDir
    Path dir;

    @BeforeEach
    void setUp() {
        Root.assumeProgram("ping");
        pair = VethPair.create(namespaces.current());
    }

    /** Captures in the background while {@code traffic} runs, then stops and returns the frames. */
    private List<CapturedPacket> captureDuring(Capture c, Runnable traffic) throws Exception {
        List<CapturedPacket> got = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Long> run = CompletableFuture.supplyAsync(() -> c.run(got::add), PLATFORM);
        traffic.run();
        Thread.sleep(2 * CaptureOptions.defaults().blockTimeoutMillis() + 50); // let the last block retire
        c.stop();
        run.get(5, TimeUnit.SECONDS);
        return new ArrayList<>(got);
    }

    private static List<String> summaries(List<CapturedPacket> frames) {
        return frames.stream().map(p -> Summary.of(p.data(), p.wireLength())).toList();
    }

    @Test
    void seesArpAndEchoBothWaysWithDirectionAndTime() throws Exception {
        long before = System.currentTimeMillis() * 1_000_000L;
        List<CapturedPacket> frames;
        try (Capture c = Capture.open(pair.netA(), pair.devA())) {
            frames = captureDuring(c, () -> assertThat(Ip.ping(pair.netA().name(), VethPair.B, 2)).isTrue());
            assertThat(c.stats().dropped()).isZero();
            assertThat(c.stats().received()).isGreaterThanOrEqualTo(frames.size());
        }
        long after = System.currentTimeMillis() * 1_000_000L;
        List<String> lines = summaries(frames);
        assertThat(lines).contains("ARP, Request who-has 10.244.2.208 tell 10.244.2.207, length 28");
        assertThat(lines).anyMatch(l -> l.startsWith("ARP, Reply 10.244.2.208 is-at "));
        assertThat(lines).anyMatch(l -> l.matches("IP 10.244.2.207 > 10.244.2.208: ICMP echo request, id \\d+, seq 1, length 64"));
        assertThat(lines).anyMatch(l -> l.matches("IP 10.244.2.208 > 10.244.2.207: ICMP echo reply, id \\d+, seq 2, length 64"));

        int ifindex;
        try (NetlinkHandle h = NetlinkHandle.open(pair.netA())) {
            ifindex = h.links().require(pair.devA()).index();
        }
        for (int i = 0; i < frames.size(); i++) {
            CapturedPacket p = frames.get(i);
            assertThat(p.ifindex()).isEqualTo(ifindex);
            assertThat(p.timestampNanos()).isBetween(before, after);
            if (i > 0) {
                assertThat(p.timestampNanos()).isGreaterThanOrEqualTo(frames.get(i - 1).timestampNanos());
            }
            String l = lines.get(i);
            if (l.startsWith("ARP, Request") || l.contains("echo request")) {
                assertThat(p.type()).as(l).isEqualTo(PacketType.OUTGOING);
            }
            if (l.startsWith("ARP, Reply") || l.contains("echo reply")) {
                assertThat(p.type()).as(l).isEqualTo(PacketType.HOST);
            }
        }
    }

    @Test
    void pcapWeWriteIsReadByTcpdumpWithTheSameCount() throws Exception {
        Root.assumeProgram("tcpdump");
        Path file = dir.resolve("live.pcap");
        List<CapturedPacket> frames;
        try (Capture c = Capture.open(pair.netA(), pair.devA()); PcapWriter w = PcapWriter.create(file, 262144)) {
            frames = captureDuring(c, () -> Ip.ping(pair.netA().name(), VethPair.B, 3));
            frames.forEach(w::write);
        }
        assertThat(frames).hasSizeGreaterThanOrEqualTo(8);
        List<String> tcpdump = Oracle.tcpdump(file);
        assertThat(tcpdump).hasSameSizeAs(frames);
        assertThat(summaries(frames)).containsExactlyElementsOf(tcpdump);
        if (Root.has("tshark")) {
            assertThat(Oracle.tsharkCount(file)).isEqualTo(frames.size());
        }
    }

    @Test
    void kernelFilterPassesOnlyWhatWasAskedFor() throws Exception {
        List<CapturedPacket> frames;
        try (Capture c = Capture.open(pair.netA(), pair.devA(), CaptureFilter.parse("icmp and host 10.244.2.208"),
                CaptureOptions.defaults())) {
            assertThat(c.filter().inKernel()).isTrue();
            frames = captureDuring(c, () -> Ip.ping(pair.netA().name(), VethPair.B, 2));
        }
        assertThat(summaries(frames)).hasSize(4).allMatch(l -> l.contains(": ICMP echo "));
    }

    @Test
    void javaFilterWorksWhereBpfCannot() throws Exception {
        List<CapturedPacket> frames;
        try (Capture c = Capture.open(pair.netA(), pair.devA(), CaptureFilter.parse("not vlan and arp"),
                CaptureOptions.defaults())) {
            assertThat(c.filter().inKernel()).isFalse();
            frames = captureDuring(c, () -> Ip.ping(pair.netA().name(), VethPair.B, 1));
        }
        assertThat(summaries(frames)).isNotEmpty().allMatch(l -> l.startsWith("ARP, "));
    }

    @Test
    void snapLengthKeepsTheFrontAndTheWireLength() throws Exception {
        List<CapturedPacket> frames;
        try (Capture c = Capture.open(pair.netA(), pair.devA(), CaptureFilter.parse("icmp"),
                CaptureOptions.defaults().withSnapLength(40))) {
            frames = captureDuring(c, () -> Ip.ping(pair.netA().name(), VethPair.B, 1));
        }
        assertThat(frames).isNotEmpty().allSatisfy(p -> {
            assertThat(p.data()).hasSize(40);
            assertThat(p.wireLength()).isEqualTo(98);
            assertThat(Summary.of(p.data(), p.wireLength())).contains("[truncated icmp");
        });
    }

    @Test
    void handlerEndsTheRunAfterCountFrames() {
        try (Capture c = Capture.open(pair.netA(), pair.devA(), CaptureFilter.parse("icmp"), CaptureOptions.defaults())) {
            CompletableFuture.runAsync(() -> Ip.ping(pair.netA().name(), VethPair.B, 3), PLATFORM);
            List<CapturedPacket> got = new ArrayList<>();
            long n = c.run(p -> {
                got.add(p);
                return got.size() < 3;
            });
            assertThat(n).isEqualTo(3);
            assertThat(got).hasSize(3);
        }
    }

    @Test
    void stopAndCloseFromAnotherThreadEndAnIdleRun() throws Exception {
        try (Capture c = Capture.open(pair.netB(), "lo")) {
            CompletableFuture<Long> run = CompletableFuture.supplyAsync(() -> c.run(p -> true), PLATFORM);
            Thread.sleep(300);
            assertThat(run).isNotDone();
            long t0 = System.nanoTime();
            c.stop();
            assertThat(run.get(2, TimeUnit.SECONDS)).isZero();
            assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.MILLISECONDS.toNanos(1000));
        }
        Capture c = Capture.open(pair.netB(), "lo");
        CompletableFuture<Long> run = CompletableFuture.supplyAsync(() -> c.run(p -> true), PLATFORM);
        Thread.sleep(200);
        c.close(); // waits for run() to let go of the ring before unmapping it
        assertThat(run.get(2, TimeUnit.SECONDS)).isZero();
        assertThat(c.run(p -> true)).isZero();
        c.close();
    }

    @Test
    void linkDownThenUpIsReportedAndCaptureResumes() throws Exception {
        List<CapturedPacket> frames;
        try (Capture c = Capture.open(pair.netA(), pair.devA(), CaptureFilter.parse("icmp"), CaptureOptions.defaults())) {
            frames = captureDuring(c, () -> {
                try (NetlinkHandle h = NetlinkHandle.open(pair.netA())) {
                    h.links().setDown(pair.devA());
                    sleep(300);
                    h.links().setUp(pair.devA());
                }
                assertThat(Ip.ping(pair.netA().name(), VethPair.B, 2)).isTrue();
            });
            assertThat(c.lastError()).isEqualTo(Errno.ENETDOWN);
        }
        assertThat(summaries(frames)).anyMatch(l -> l.contains("echo reply"));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aTimeLimitEndsTheRunAndKeepsWhatIsQueued() {
        try (Capture c = Capture.open(pair.netA(), pair.devA(), CaptureFilter.parse("icmp"), CaptureOptions.defaults())) {
            long t0 = System.nanoTime();
            assertThat(c.run(p -> true, java.time.Duration.ofMillis(300))).isZero();
            assertThat(System.nanoTime() - t0).isBetween(TimeUnit.MILLISECONDS.toNanos(290), TimeUnit.MILLISECONDS.toNanos(900));
            assertThat(Ip.ping(pair.netA().name(), VethPair.B, 1)).isTrue();
            List<CapturedPacket> got = new ArrayList<>();
            c.run(got::add, java.time.Duration.ofMillis(500));
            assertThat(summaries(got)).hasSize(2);
        }
    }

    @Test
    void anyCapturesEveryInterfaceAndSaysWhich() throws Exception {
        List<CapturedPacket> frames;
        try (Capture c = Capture.open(pair.netA(), Capture.ANY, CaptureFilter.parse("icmp"), CaptureOptions.defaults())) {
            frames = captureDuring(c, () -> {
                Ip.ping(pair.netA().name(), VethPair.B, 1);
                Ip.ping(pair.netA().name(), "127.0.0.1", 1);
            });
        }
        int dev, lo;
        try (NetlinkHandle h = NetlinkHandle.open(pair.netA())) {
            dev = h.links().require(pair.devA()).index();
            lo = h.links().require("lo").index();
        }
        assertThat(frames).extracting(CapturedPacket::ifindex).contains(dev, lo).containsOnly(dev, lo);
        assertThat(frames.stream().filter(p -> p.ifindex() == dev)).hasSize(2);
    }

    @Test
    void theKernelAcceptsEveryCompiledFilter() {
        try (PacketSocket s = PacketSocket.open(pair.netA())) {
            for (String e : podnet.linux.packet.filter.CaptureFilterTest.EXPRESSIONS) {
                s.attachFilter(CaptureFilter.parse(e).bpf(262144).orElseThrow());
            }
        }
    }

    @Test
    void missingDeviceOrNamespaceIsAClearError() {
        assertThatThrownBy(() -> Capture.open(pair.netA(), "nosuchdev0"))
                .isInstanceOf(SysException.class)
                .satisfies(e -> assertThat(((SysException) e).errno()).isEqualTo(Errno.ENODEV))
                .hasMessageContaining("nosuchdev0").hasMessageContaining(pair.netA().name());
        assertThatThrownBy(() -> Capture.open(Netns.named(namespaces.name("absent")), "eth0"))
                .isInstanceOf(SysException.class).hasMessageContaining("absent");
    }

    @Test
    void badRingShapesAreRefused() {
        assertThatThrownBy(() -> CaptureOptions.defaults().withRing(5000, 4)).hasMessageContaining("power-of-two");
        assertThatThrownBy(() -> CaptureOptions.defaults().withSnapLength(0)).hasMessageContaining("snap length");
        assertThatThrownBy(() -> CaptureOptions.defaults().withRing(1 << 20, 2048)).hasMessageContaining("out of range");
    }
}
