package podnet.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import podnet.linux.ns.Netns;
import podnet.node.observe.FlowFilter;
import podnet.node.observe.FlowRecord;
import podnet.node.observe.Observer;
import podnet.node.observe.ObserverStats;

/**
 * {@code podnet observe}: the flows on a node's bridge and its ports, with their fate. Without
 * {@code --follow} it watches until Ctrl-C/SIGTERM (or {@code --seconds}) and then prints the
 * table; with it, it prints flows as they change.
 */
@Command(name = "observe", description = "Flows on the node's bridge and ports (-n NODE): pods, packets and bytes each way,"
        + " TCP flags, and each flow's verdict: FORWARDED, DROPPED (with the kernel's reason, and the policies when the node's"
        + " NetworkPolicy table dropped it), ERROR (RST, ICMP error).")
final class ObserveCommand extends CliCommand.InNetns {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    @Option(names = "--pod", paramLabel = "POD", description = "Only flows from or to this pod.")
    String pod;

    @Option(names = "--verdict", paramLabel = "VERDICT", description = "Only forwarded, dropped, error or seen flows.")
    String verdict;

    @Option(names = "--protocol", paramLabel = "PROTO", description = "Only tcp, udp, icmp or arp flows.")
    String protocol;

    @Option(names = {"-f", "--follow"}, description = "Print flows as they change (each at most once a second) until stopped.")
    boolean follow;

    @Option(names = "--last", paramLabel = "N", defaultValue = "20",
            description = "How many flows the final table shows, most recent first (default ${DEFAULT-VALUE}).")
    int last;

    @Option(names = "-o", paramLabel = "FORMAT", defaultValue = "table", description = "table (default) or json.")
    String output;

    @Option(names = "--seconds", paramLabel = "N", description = "Stop after N seconds.")
    Double seconds;

    @Option(names = "--max-flows", paramLabel = "N", defaultValue = "100000",
            description = "Flows kept at most; the least recently active is evicted (default ${DEFAULT-VALUE}).")
    int maxFlows;

    @Option(names = "--no-drops", description = "Do not read the kernel's drop reasons (no tracefs instance).")
    boolean noDrops;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    ObserveCommand(Cli cli) {
        super(cli);
    }

    @Override
    public Integer call() {
        boolean json = cli.json || "json".equals(output);
        if (!json && !"table".equals(output)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "-o " + output + ": use table or json");
        }
        if (last < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--last must be at least 1, not " + last);
        }
        if (maxFlows < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-flows must be at least 1, not " + maxFlows);
        }
        if (seconds != null && !(seconds > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--seconds must be positive");
        }
        FlowFilter filter;
        try {
            filter = FlowFilter.parse(pod, verdict, protocol);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Netns node = cli.netns();
        StopRequest stop = StopRequest.of(cli);
        Observer.Options options = Observer.Options.of(node, cli.stateDir).withMaxFlows(maxFlows).withKernelDrops(!noDrops);
        Duration limit = seconds == null ? null : Duration.ofMillis((long) (seconds * 1000));
        try (Observer obs = Observer.start(options)) {
            cli.err.println("podnet: observing node " + node.label() + " (all its interfaces); kernel drop reasons: "
                    + obs.dropsUnavailable().map(w -> "off (" + w + ")").orElse("on")
                    + (follow ? "" : "; stop with Ctrl-C to see the flows"));
            if (follow) {
                follow(obs, filter, json, stop, limit);
            } else {
                stop.await(limit);
            }
            List<FlowRecord> flows = obs.flows(Integer.MAX_VALUE).stream().filter(filter).limit(last).toList();
            ObserverStats stats = obs.stats();
            if (!follow) {
                if (json) {
                    Map<String, Object> doc = new LinkedHashMap<>();
                    doc.put("flows", flows.stream().map(FlowRecord::toJson).toList());
                    doc.put("stats", statsJson(stats));
                    JsonOutput.print(cli.out, doc);
                } else {
                    table(flows, cli.out);
                }
            }
            cli.err.println("podnet: " + stats.frames() + " frames, " + stats.flows() + " flows (" + stats.evicted()
                    + " evicted), " + stats.ringDrops() + " frames lost in the ring, " + stats.dropsAttributed()
                    + " kernel drops tied to flows");
        }
        return 0;
    }

    private void follow(Observer obs, FlowFilter filter, boolean json, StopRequest stop, Duration limit) {
        long deadline = limit == null ? Long.MAX_VALUE : System.nanoTime() + limit.toNanos();
        long tick = 0;
        while (true) {
            long left = deadline - System.nanoTime();
            boolean stopped = stop.await(Duration.ofNanos(Math.max(1, Math.min(left, 1_000_000_000L))));
            Observer.Changes c = obs.changesSince(tick);
            tick = c.tick();
            for (FlowRecord r : c.flows()) {
                if (filter.test(r)) {
                    cli.out.println(json ? JsonOutput.write(r.toJson()) : line(r));
                }
            }
            cli.out.flush();
            if (stopped || System.nanoTime() >= deadline) {
                return;
            }
        }
    }

    /** One flow on one line: time, protocol, source -> destination, counts each way, verdict. */
    static String line(FlowRecord r) {
        return time(r.lastSeen()) + " " + r.protocol() + " " + end(r.sourceText(), r.sourcePod()) + " -> "
                + end(r.destinationText(), r.destinationPod()) + "  " + counts(r.sent()) + " / " + counts(r.replied())
                + flags(r) + "  " + r.verdictText();
    }

    static void table(List<FlowRecord> flows, PrintStream out) {
        Table t = new Table("LAST SEEN", "PROTO", "SOURCE", "DESTINATION", "SENT", "REPLIED", "TCP FLAGS", "VERDICT");
        for (FlowRecord r : flows) {
            t.row(time(r.lastSeen()), r.protocol(), end(r.sourceText(), r.sourcePod()),
                    end(r.destinationText(), r.destinationPod()), counts(r.sent()), counts(r.replied()),
                    r.sent().tcpFlags().isEmpty() && r.replied().tcpFlags().isEmpty() ? ""
                            : r.sent().tcpFlags() + " / " + r.replied().tcpFlags(), r.verdictText());
        }
        t.print(out);
    }

    private static String flags(FlowRecord r) {
        return r.sent().tcpFlags().isEmpty() && r.replied().tcpFlags().isEmpty() ? ""
                : "  [" + r.sent().tcpFlags() + " / " + r.replied().tcpFlags() + "]";
    }

    private static String end(String address, String pod) {
        return pod == null ? address : address + " (" + pod + ")";
    }

    private static String counts(FlowRecord.Direction d) {
        return d.packets() + " pkts " + d.bytes() + " B";
    }

    private static String time(Instant t) {
        return TIME.format(LocalTime.ofInstant(t, ZoneId.systemDefault()));
    }

    private static Map<String, Object> statsJson(ObserverStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("frames", s.frames());
        m.put("otherFrames", s.otherFrames());
        m.put("framesLostInRing", s.ringDrops());
        m.put("flows", s.flows());
        m.put("evicted", s.evicted());
        m.put("expired", s.expired());
        m.put("kernelDrops", s.kernelDrops());
        m.put("kernelDropsTiedToFlows", s.dropsAttributed());
        m.put("kernelDropsOfOtherNamespaces", s.dropsForeign());
        m.put("dropReasons", s.dropsUnavailable() == null ? "on" : "off: " + s.dropsUnavailable());
        return m;
    }
}
