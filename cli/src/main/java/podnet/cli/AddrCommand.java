package podnet.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkHandle;

/** {@code podnet addr add|del CIDR dev DEV}, like {@code ip addr}. */
@Command(name = "addr", description = "Interface addresses.", subcommands = {AddrCommand.Add.class, AddrCommand.Del.class})
final class AddrCommand extends CommandGroup {

    abstract static class Change extends CliCommand.InNetns {
        @Parameters(index = "0", paramLabel = "CIDR", description = "e.g. 10.244.2.1/24")
        String cidr;

        @Parameters(index = "1", paramLabel = "dev")
        String devKeyword;

        @Parameters(index = "2", paramLabel = "DEV")
        String dev;

        Change(Cli cli) {
            super(cli);
        }

        Cidr parsed() {
            if (!"dev".equals(devKeyword)) {
                throw new CliException("expected \"dev DEV\" after the address", "e.g. `podnet addr add 10.0.0.1/24 dev eth0`");
            }
            try {
                return Cidr.parse(cidr);
            } catch (IllegalArgumentException e) {
                throw new CliException("bad address \"" + cidr + "\": " + e.getMessage(),
                        "write ADDRESS/PREFIX, e.g. 10.244.2.1/24");
            }
        }
    }

    @Command(name = "add", description = "Add CIDR to DEV.")
    static final class Add extends Change {
        Add(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            Cidr c = parsed();
            try (NetlinkHandle h = NetlinkHandle.open(cli.netns())) {
                h.addresses().add(dev, c);
            }
            return 0;
        }
    }

    @Command(name = "del", aliases = "delete", description = "Remove CIDR from DEV.")
    static final class Del extends Change {
        Del(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            Cidr c = parsed();
            try (NetlinkHandle h = NetlinkHandle.open(cli.netns())) {
                h.addresses().delete(dev, c);
            }
            return 0;
        }
    }
}
