package podnet.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import podnet.linux.ns.Netns;
import podnet.node.doctor.Doctor;
import podnet.node.doctor.Finding;
import podnet.node.pod.DefaultNetwork;

/** {@code podnet doctor}: checks a node's pod network and says how to fix what is wrong; exit 1 if anything is. */
@Command(name = "doctor", description = "Check the node's pod network (-n NODE): bridge address, leases, MTUs, hairpin,"
        + " br_netfilter and FORWARD, ip_forward, rp_filter, stale nft elements, conntrack; each with its fix.")
final class DoctorCommand extends CliCommand.InNetns {
    @Option(names = "--network", paramLabel = "CONFLIST",
            description = "The node's bridge conflist (default: podnet's under the state dir, else /etc/cni/net.d/10-podnet.conflist).")
    Path network;

    DoctorCommand(Cli cli) {
        super(cli);
    }

    @Override
    public Integer call() {
        Netns node = cli.netns();
        Path conf = network != null ? network : defaultConflist();
        if (network != null && !Files.isReadable(network)) {
            throw new CliException("no conflist " + network, "give the bridge network's .conflist, or leave out --network");
        }
        List<Finding> findings;
        try {
            findings = Doctor.examine(node, conf);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), "give the bridge network's .conflist with --network");
        }
        boolean wrong = findings.stream().anyMatch(f -> !f.ok());
        if (cli.json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("node", node.label());
            doc.put("conflist", conf == null ? null : conf.toString());
            doc.put("ok", !wrong);
            doc.put("findings", findings.stream().map(Finding::toJson).toList());
            JsonOutput.print(cli.out, doc);
        } else {
            for (Finding f : findings) {
                cli.out.printf("%-4s %-15s %s%n", f.ok() ? "ok" : "FAIL", f.check(), f.detail());
                if (!f.ok()) {
                    cli.out.printf("     %-15s %s%n", "fix:", f.fix());
                }
            }
            long n = findings.stream().filter(f -> !f.ok()).count();
            cli.out.println(n == 0 ? "node " + node.label() + ": healthy" : "node " + node.label() + ": " + n + " problem(s)");
            cli.out.flush();
        }
        return wrong ? 1 : 0;
    }

    private Path defaultConflist() {
        Path mine = DefaultNetwork.conflist(cli.stateDir);
        if (Files.isReadable(mine)) {
            return mine;
        }
        Path installed = Path.of("/etc/cni/net.d/10-podnet.conflist");
        return Files.isReadable(installed) ? installed : null;
    }
}
