package podnet.cli;

import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import podnet.linux.ns.Netns;
import podnet.linux.packet.Capture;
import podnet.linux.packet.CaptureLine;
import podnet.linux.packet.CaptureOptions;
import podnet.linux.packet.CapturedPacket;
import podnet.linux.packet.InterfaceNames;
import podnet.linux.packet.PacketStats;
import podnet.linux.packet.decode.RelativeSequences;
import podnet.linux.packet.filter.CaptureFilter;
import podnet.linux.packet.pcap.PcapReader;
import podnet.linux.packet.pcap.PacketWriter;
import podnet.linux.sys.StopSignals;

/**
 * {@code podnet capture [-n NETNS] -i DEV [-c COUNT] [-w FILE] [FILTER...]}: tcpdump -n on an
 * interface of any namespace, through our own packet socket. Stops on SIGINT or SIGTERM (also
 * when started in the background of a script), after COUNT frames, or after {@code --seconds};
 * then flushes the file, prints tcpdump's three counters on stderr and exits 0.
 */
@Command(name = "capture", description = "Capture packets on an interface (like tcpdump -n), or read a pcap file.")
final class CaptureCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Cli cli;

    CaptureCommand(Cli cli) {
        this.cli = cli;
    }

    @Option(names = {"-n", "--netns"}, description = "Named network namespace (default: current).")
    String netns;

    @Option(names = {"-i", "--interface"}, paramLabel = "DEV",
            description = "Interface to capture on ('any': all of the namespace's, each line naming it).")
    String device;

    @Option(names = {"-c", "--count"}, paramLabel = "COUNT", description = "Stop after COUNT packets.")
    Long count;

    @Option(names = {"-w", "--write"}, paramLabel = "FILE", description = "Write packets to a pcap file instead of printing them (pcapng, with directions, if FILE ends in .pcapng).")
    Path write;

    @Option(names = {"-r", "--read"}, paramLabel = "FILE", description = "Print the packets of a pcap file instead of capturing.")
    Path read;

    @Option(names = {"-s", "--snaplen"}, paramLabel = "BYTES", defaultValue = "262144",
            description = "Bytes kept of each packet (default ${DEFAULT-VALUE}).")
    int snapLength;

    @Option(names = "--seconds", paramLabel = "N", description = "Stop after N seconds.")
    Double seconds;

    @Option(names = "--direction", description = "Show In/Out/B/M/P before each packet.")
    boolean direction;

    @Option(names = "-S", description = "Print absolute TCP sequence numbers (default: relative, as tcpdump).")
    boolean absolute;

    @Option(names = "-l", description = "Flush every line (the default on a terminal; otherwise output is buffered).")
    boolean lineBuffered;

    @Parameters(paramLabel = "FILTER", arity = "0..*",
            description = "Filter: arp ip ip6 icmp icmp6 tcp udp, [src|dst] host ADDR, [src|dst] net CIDR, "
                    + "[tcp|udp] [src|dst] port N, ether host MAC, vlan [ID], with and/or/not and ( ).")
    List<String> filterWords;

    @Override
    public Integer call() {
        // Printing through a 64 KiB buffer keeps up with a busy link when piped, like tcpdump.
        PrintStream out = lineBuffered || (System.console() != null && System.console().isTerminal()) ? System.out
                : new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false, StandardCharsets.UTF_8);
        PrintStream err = System.err;
        if (count != null && count < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--count must be at least 1, not " + count);
        }
        if (seconds != null && !(seconds > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--seconds must be positive");
        }
        CaptureFilter filter = CaptureFilter.parse(filterWords);
        if (read != null) {
            int rc = readFile(filter, out);
            out.flush();
            return rc;
        }
        if (device == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "say which interface: -i DEV (or -r FILE)");
        }
        // Classic pcap goes from the ring to the file without a copy per frame (Capture.record).
        boolean record = write != null && !write.getFileName().toString().endsWith(".pcapng");
        CaptureOptions options = CaptureOptions.defaults().withSnapLength(snapLength);
        if (record) {
            options = options.withBlockTimeout(CaptureOptions.RECORD_BLOCK_TIMEOUT_MILLIS); // fewer wake-ups
        }
        // `podnet -n NS capture` and `podnet capture -n NS` mean the same.
        String netns = this.netns != null ? this.netns : cli.netns;
        Netns ns = Cli.existing(netns, "-n");
        ZoneId zone = ZoneId.systemDefault();
        try (Capture capture = Capture.open(ns, device, filter, options);
                PacketWriter pcap = write == null || record ? null : PacketWriter.create(write, snapLength, device);
                // Ctrl-C or kill (SIGINT also when a script started us in the background): stop the
                // ring, then the code below flushes the file, prints the counters and exits 0.
                StopSignals.Registration signals = StopSignals.install(capture::stop)) {
            if (record) {
                capture.warmUpRecord(); // compiled before the first busy block; frames queue meanwhile
            }
            err.println("podnet: listening on " + device + (netns == null ? "" : " in netns " + netns)
                    + (filter == CaptureFilter.ALL ? "" : ", filter \"" + filter + "\" " + (filter.inKernel() ? "(in kernel)" : "(in podnet)"))
                    + ", snapshot length " + snapLength + " bytes");
            long[] seen = {0};
            RelativeSequences sequences = absolute ? null : new RelativeSequences();
            InterfaceNames names = Capture.ANY.equals(device) ? new InterfaceNames(ns) : null;
            Duration limit = seconds == null ? null : Duration.ofMillis((long) (seconds * 1000));
            try {
                if (record) {
                    seen[0] = capture.record(write, count == null ? Long.MAX_VALUE : count, limit);
                } else {
                    capture.run(p -> {
                        seen[0]++;
                        if (pcap != null) {
                            pcap.write(p);
                        } else {
                            out.println(CaptureLine.format(p, zone, names == null ? null : names.of(p.ifindex()),
                                    direction || names != null, sequences));
                        }
                        return count == null || seen[0] < count;
                    }, limit);
                }
            } finally {
                if (pcap != null) {
                    pcap.flush();
                }
                out.flush();
                PacketStats stats = capture.stats();
                err.println(seen[0] + " packets captured");
                err.println(stats.received() + " packets received by filter");
                err.println(stats.dropped() + " packets dropped by kernel");
            }
        }
        return 0;
    }

    private int readFile(CaptureFilter filter, PrintStream out) {
        ZoneId zone = ZoneId.systemDefault();
        RelativeSequences sequences = absolute ? null : new RelativeSequences();
        long n = 0;
        for (CapturedPacket p : PcapReader.read(read)) {
            if (!filter.matches(p.data())) {
                continue;
            }
            out.println(CaptureLine.format(p, zone, false, sequences));
            if (count != null && ++n >= count) {
                break;
            }
        }
        return 0;
    }
}
