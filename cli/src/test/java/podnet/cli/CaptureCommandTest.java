package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import podnet.linux.packet.VethPair;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.ThrowawayNamespaces;

/** {@code podnet capture} in-process, on a veth in throwaway namespaces. */
class CaptureCommandTest {
    @RegisterExtension
    final ThrowawayNamespaces namespaces = new ThrowawayNamespaces("capcli");

    @TempDir
    Path dir;

    @BeforeEach
    void setUp() {
        Root.assumeProgram("ping");
    }

    record Run(int exit, String out, String err) {}

    static synchronized Run podnet(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.run(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Pings from A to B every 0.2 s for a few seconds in the background. */
    private static CompletableFuture<Boolean> pinging(VethPair pair) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Thread.sleep(1000); // the capture opens first
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Ip.ping(pair.netA().name(), VethPair.B, 6);
        }, r -> Thread.ofPlatform().start(r));
    }

    @Test
    void printsTcpdumpStyleLinesAndStopsAfterCount() throws Exception {
        VethPair pair = VethPair.create(namespaces.current());
        CompletableFuture<Boolean> ping = pinging(pair);
        Run r = podnet("capture", "-n", pair.netA().name(), "-i", pair.devA(), "-c", "4", "icmp");
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines).anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{6} IP 10\\.244\\.2\\.207 > 10\\.244\\.2\\.208: ICMP echo request, id \\d+, seq \\d+, length 64"));
        assertThat(lines).anyMatch(l -> l.contains(" IP 10.244.2.208 > 10.244.2.207: ICMP echo reply"));
        assertThat(r.err()).contains("listening on " + pair.devA()).contains("(in kernel)").contains("4 packets captured");
        ping.get(30, TimeUnit.SECONDS);
    }

    @Test
    void writesAPcapThatTcpdumpReads() throws Exception {
        Root.assumeProgram("tcpdump");
        VethPair pair = VethPair.create(namespaces.current());
        Path file = dir.resolve("cap.pcap");
        CompletableFuture<Boolean> ping = pinging(pair);
        Run r = podnet("capture", "-n", pair.netA().name(), "-i", pair.devA(), "-c", "6", "-w", file.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
        List<String> tcpdump = Ip.run("tcpdump", "-n", "-r", file.toString()).ok().out().lines().toList();
        assertThat(tcpdump).hasSize(6);
        Run back = podnet("capture", "-r", file.toString());
        assertThat(back.out().lines().toList()).hasSize(6);
        ping.get(30, TimeUnit.SECONDS);
    }

    @Test
    void writesPcapngWithDirections() throws Exception {
        Root.assumeProgram("tshark");
        VethPair pair = VethPair.create(namespaces.current());
        Path file = dir.resolve("cap.pcapng");
        CompletableFuture<Boolean> ping = pinging(pair);
        Run r = podnet("capture", "-n", pair.netA().name(), "-i", pair.devA(), "-c", "4", "-w", file.toString(), "icmp");
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> dirs = Ip.run("tshark", "-n", "-r", file.toString(), "-T", "fields", "-e",
                "frame.packet_flags_direction").ok().out().lines().map(l -> l.replace("0x0000000", "")).toList();
        assertThat(dirs).hasSize(4).contains("2", "1").containsOnly("2", "1"); // requests out, replies in
        ping.get(30, TimeUnit.SECONDS);
    }

    @Test
    void anyNamesTheInterfaceOfEachPacket() throws Exception {
        VethPair pair = VethPair.create(namespaces.current());
        CompletableFuture<Boolean> ping = pinging(pair);
        Run r = podnet("capture", "-n", pair.netA().name(), "-i", "any", "-c", "4", "icmp");
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines).anyMatch(l -> l.contains(" " + pair.devA() + " Out IP 10.244.2.207 > 10.244.2.208: ICMP echo request"));
        assertThat(lines).anyMatch(l -> l.contains(" " + pair.devA() + " In  IP 10.244.2.208 > 10.244.2.207: ICMP echo reply"));
        ping.get(30, TimeUnit.SECONDS);
    }

    @Test
    void secondsBoundAQuietCapture() {
        VethPair pair = VethPair.create(namespaces.current());
        long t0 = System.nanoTime();
        Run r = podnet("capture", "-n", pair.netB().name(), "-i", "lo", "--seconds", "0.5");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("0 packets captured").contains("0 packets dropped by kernel");
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void theGlobalNetnsOptionSelectsTheNamespaceToo() {
        VethPair pair = VethPair.create(namespaces.current());
        Run r = podnet("-n", pair.netB().name(), "capture", "-i", "lo", "--seconds", "0.3");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("listening on lo in netns " + pair.netB().name());
        Run gone = podnet("-n", namespaces.name("gone"), "capture", "-i", "lo", "--seconds", "0.3");
        assertThat(gone.exit()).isNotZero();
        assertThat(gone.err()).contains("does not exist (-n)");
    }

    @Test
    void readsAFileWithAFilter() throws Exception {
        Path file = dir.resolve("exchange.pcap");
        try (InputStream in = getClass().getResourceAsStream("/packet/exchange.pcap")) {
            Files.write(file, in.readAllBytes());
        }
        Run r = podnet("capture", "-r", file.toString(), "arp");
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines().toList()).hasSize(2).allMatch(l -> l.contains(" ARP, "));
        Run relative = podnet("capture", "-r", file.toString(), "tcp", "port", "5000");
        assertThat(relative.out()).contains("Flags [P.], seq 1:7, ack 1, win 63");
        Run absolute = podnet("capture", "-S", "-r", file.toString(), "tcp", "port", "5000");
        assertThat(absolute.out()).contains("Flags [P.], seq 102528338:102528344, ack 95066848, win 63");
    }

    @Test
    void mistakesAreClearAndExitNonZero() {
        VethPair pair = VethPair.create(namespaces.current());
        Run noDev = podnet("capture", "-n", pair.netA().name());
        assertThat(noDev.exit()).isNotZero();
        assertThat(noDev.err()).contains("-i DEV");
        Run badFilter = podnet("capture", "-n", pair.netA().name(), "-i", pair.devA(), "tcp", "port", "http");
        assertThat(badFilter.exit()).isNotZero();
        assertThat(badFilter.err()).contains("podnet: filter: not a port number");
        Run missing = podnet("capture", "-n", pair.netA().name(), "-i", "nosuch0");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("nosuch0").contains("not found");
        Run noNs = podnet("capture", "-n", namespaces.name("gone"), "-i", "eth0");
        assertThat(noNs.exit()).isNotZero();
        assertThat(noNs.err()).contains("does not exist (-n)").contains("podnet: hint:");
        Run badCount = podnet("capture", "-i", "lo", "-c", "0");
        assertThat(badCount.exit()).isNotZero();
        assertThat(badCount.err()).contains("--count must be at least 1");
    }
}
