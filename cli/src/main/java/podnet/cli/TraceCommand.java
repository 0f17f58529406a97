package podnet.cli;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import podnet.node.trace.Endpoint;
import podnet.node.trace.Endpoints;
import java.util.concurrent.CountDownLatch;
import podnet.linux.sys.StopSignals;
import podnet.node.trace.PathTracer;
import podnet.node.trace.Probe;
import podnet.node.trace.TraceReport;
import podnet.node.trace.TraceResult;

/** {@code podnet trace SRC DST}: follow one probe hop by hop through veths and the bridge. */
@Command(name = "trace", description = "Send a probe from SRC to DST (pods, NETNS or NETNS/IP) and show each hop it crossed,"
        + " or where it stopped and why.")
final class TraceCommand extends CliCommand {
    @Parameters(index = "0", paramLabel = "SRC")
    String src;

    @Parameters(index = "1", paramLabel = "DST")
    String dst;

    @ArgGroup(exclusive = true)
    Kind kind;

    static final class Kind {
        @Option(names = "--icmp", description = "ICMP echo (default).")
        boolean icmp;

        @Option(names = "--tcp", paramLabel = "PORT", description = "TCP connect to PORT.")
        Integer tcp;

        @Option(names = "--udp", paramLabel = "PORT", description = "UDP datagram to PORT.")
        Integer udp;
    }

    TraceCommand(Cli cli) {
        super(cli);
    }

    @Override
    public Integer call() {
        Probe probe = kind == null || kind.icmp ? new Probe.Icmp()
                : kind.tcp != null ? new Probe.Tcp(kind.tcp) : new Probe.Udp(kind.udp);
        var pods = PodCommand.pods(cli);
        Endpoint a = resolve(src, pods), b = resolve(dst, pods);
        // SIGINT/SIGTERM (also in a script's background) ends the wait: what was seen is reported.
        CountDownLatch stop = new CountDownLatch(1);
        TraceResult r;
        try (StopSignals.Registration signals = StopSignals.install(stop::countDown)) {
            r = PathTracer.trace(a, b, probe, stop);
        }
        TraceReport.print(r, cli.out);
        cli.out.flush();
        return stop.getCount() == 0 || r.diagnosis().ok() ? 0 : 1;
    }

    private Endpoint resolve(String spec, podnet.node.pod.Pods pods) {
        try {
            return Endpoints.resolve(spec, pods, cli.nodeNetns());
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), "see `podnet pod list` and `podnet netns list`");
        }
    }
}
