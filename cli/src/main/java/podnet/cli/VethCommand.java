package podnet.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;

/** {@code podnet veth add A B}: a veth pair, each end born in its namespace. */
@Command(name = "veth", description = "Virtual ethernet pairs.", subcommands = VethCommand.Add.class)
final class VethCommand extends CommandGroup {

    @Command(name = "add", description = "Create veth pair A <-> B; each end directly in its namespace.")
    static final class Add extends CliCommand.InNetns {
        @Parameters(index = "0", paramLabel = "A")
        String a;

        @Parameters(index = "1", paramLabel = "B")
        String b;

        @Option(names = "--netns-a", paramLabel = "NETNS", description = "Where A goes (default: -n or current).")
        String netnsA;

        @Option(names = "--netns-b", paramLabel = "NETNS", description = "Where B goes (default: where A goes).")
        String netnsB;

        Add(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            Netns nsA = netnsA != null ? Cli.existing(netnsA, "--netns-a") : cli.netns();
            Netns nsB = netnsB != null ? Cli.existing(netnsB, "--netns-b") : nsA;
            try (NetlinkHandle h = NetlinkHandle.open(nsA)) {
                h.links().addVeth(a, b, nsB, 0);
            }
            return 0;
        }
    }
}
