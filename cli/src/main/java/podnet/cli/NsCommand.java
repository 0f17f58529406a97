package podnet.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import podnet.linux.ns.NamespaceEntry;
import podnet.linux.ns.NamespaceTable;

/** {@code podnet ns list}: every namespace on the machine, like {@code lsns}. */
@Command(name = "ns", description = "Namespaces of every kind (like lsns).", subcommands = NsCommand.ListNs.class)
final class NsCommand extends CommandGroup {

    @Command(name = "list", aliases = "ls", description = "NS, TYPE, NPROCS, PID, USER, COMMAND for each namespace.")
    static final class ListNs extends CliCommand {
        @Option(names = {"-t", "--type"}, paramLabel = "TYPE",
                description = "Only this type: net, mnt, uts, ipc, pid, user, cgroup, time.")
        String type;

        ListNs(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            if (type != null && !NamespaceTable.TYPES.contains(type)) {
                throw new CliException("unknown namespace type \"" + type + "\"",
                        "use one of " + String.join(", ", NamespaceTable.TYPES));
            }
            List<NamespaceEntry> entries = NamespaceTable.list(type);
            if (cli.json) {
                List<Map<String, Object>> out = new ArrayList<>();
                for (NamespaceEntry e : entries) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("ns", e.inode());
                    m.put("type", e.type());
                    m.put("nprocs", e.nprocs());
                    m.put("pid", e.pid() == 0 ? null : e.pid());
                    m.put("user", e.user());
                    m.put("command", e.command());
                    m.put("boundAt", e.boundAt());
                    out.add(m);
                }
                JsonOutput.print(cli.out, out);
                return 0;
            }
            Table t = new Table("NS", "TYPE", "NPROCS", "PID", "USER", "COMMAND");
            for (NamespaceEntry e : entries) {
                t.row(e.inode(), e.type(), e.nprocs(), e.pid() == 0 ? "" : e.pid(), e.user(),
                        e.pid() == 0 && e.boundAt() != null ? "(bound at " + e.boundAt() + ")" : e.command());
            }
            t.print(cli.out);
            return 0;
        }
    }
}
