package podnet.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import podnet.linux.ns.Netns;
import podnet.node.ui.UiServer;

/** {@code podnet ui}: the node live in a browser, until Ctrl-C/SIGTERM. */
@Command(name = "ui", description = "Serve a live page of the node (-n NODE): pods, veths, bridge, uplink, flows and drops,"
        + " updated from rtnetlink events. Loopback only unless --listen says otherwise.")
final class UiCommand extends CliCommand.InNetns {
    static final String DEFAULT_LISTEN = "127.0.0.1:7474";

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = DEFAULT_LISTEN,
            description = "Where to serve (default ${DEFAULT-VALUE}; port 0 picks a free one).")
    String listen;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    UiCommand(Cli cli) {
        super(cli);
    }

    @Override
    public Integer call() {
        InetSocketAddress address = parse(listen);
        Netns node = cli.netns();
        StopRequest stop = StopRequest.of(cli);
        try (UiServer ui = UiServer.start(node, cli.stateDir, Netns.CURRENT, address)) {
            if (!address.getAddress().isLoopbackAddress()) {
                cli.err.println("podnet: warning: serving on " + address.getAddress().getHostAddress()
                        + ": anyone who can reach it sees this node's pods and flows");
            }
            cli.err.println("podnet: node " + node.label() + " at " + ui.url() + " (Ctrl-C to stop)");
            stop.await(null);
        }
        return 0;
    }

    InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--listen " + text + ": give HOST:PORT, e.g. " + DEFAULT_LISTEN);
        }
        String host = text.substring(0, colon).replaceAll("^\\[|]$", "");
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--listen " + text + ": the port must be 0..65535");
        }
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]+|localhost")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--listen " + text + ": give an IP address (no name lookups)");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--listen " + text + ": not an address");
        }
    }
}
