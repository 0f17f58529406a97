package podnet.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import podnet.linux.ns.Netns;
import podnet.node.topo.DotRenderer;
import podnet.node.topo.HtmlRenderer;
import podnet.node.topo.NodeTables;
import podnet.node.topo.SvgRenderer;
import podnet.node.topo.TextRenderer;
import podnet.node.topo.Topology;
import podnet.node.topo.TopologyReader;

/** {@code podnet topo}: the node's pods, veths and bridge as a picture, read from the live kernel. */
@Command(name = "topo", description = "Draw the node's pod network (-n NODE_NETNS): pods, veth pairs, bridge, uplink.")
final class TopoCommand extends CliCommand.InNetns {
    enum Format { text, svg, dot, html }

    @Option(names = "--format", description = "text, svg, dot or html (default: ${DEFAULT-VALUE}).", defaultValue = "text")
    Format format;

    @Option(names = {"-o", "--output"}, description = "Write to this file instead of stdout.")
    Path output;

    @Option(names = "--cluster", paramLabel = "NODE_NETNS[,...]", split = ",",
            description = "Draw several nodes (their namespaces on this machine) and the tunnels between them.")
    java.util.List<String> cluster;

    TopoCommand(Cli cli) {
        super(cli);
    }

    @Override
    public Integer call() {
        String out;
        if (cluster != null) {
            java.util.List<Netns> nodes = cluster.stream().map(n -> Cli.existing(n, "--cluster")).toList();
            var c = podnet.node.topo.ClusterTopologyReader.read(nodes);
            out = switch (format) {
                case text, dot -> podnet.node.topo.ClusterRenderer.text(c);
                case svg -> podnet.node.topo.ClusterRenderer.svg(c);
                case html -> podnet.node.topo.ClusterRenderer.html(c);
            };
            return write(out);
        }
        Netns node = cli.netns(); // -n: the node's namespace
        Topology t = TopologyReader.read(node);
        out = switch (format) {
            case text -> TextRenderer.render(t);
            case svg -> SvgRenderer.render(t);
            case dot -> DotRenderer.render(t);
            case html -> HtmlRenderer.render(t, NodeTables.read(node));
        };
        return write(out);
    }

    private int write(String out) {
        if (output == null) {
            cli.out.print(out);
        } else {
            try {
                Files.writeString(output, out, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("write " + output, e);
            }
            cli.err.println("wrote " + output.toAbsolutePath());
        }
        return 0;
    }
}
