package podnet.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.NamespaceTable;
import podnet.linux.ns.NsProcess;
import podnet.linux.ns.Netns;

/** {@code podnet netns}: named network namespaces, interchangeable with {@code ip netns}. */
@Command(name = "netns", description = "Named network namespaces (shared with ip netns).",
        subcommands = {NetnsCommand.Add.class, NetnsCommand.Del.class, NetnsCommand.ListNetns.class,
                NetnsCommand.ExecIn.class, NetnsCommand.Attach.class})
final class NetnsCommand extends CommandGroup {

    @Command(name = "add", description = "Create an empty network namespace NAME (only lo, down).")
    static final class Add extends CliCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        Add(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            if (NamedNetns.exists(name)) {
                throw new CliException("network namespace \"" + name + "\" exists already",
                        "pick another name, or remove it with `podnet netns del " + name + "`");
            }
            NamedNetns.add(name);
            return 0;
        }
    }

    @Command(name = "del", aliases = "delete", description = "Remove the name NAME (the namespace goes when nothing else holds it).")
    static final class Del extends CliCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        Del(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            Cli.existing(name, "NAME");
            NamedNetns.delete(name);
            return 0;
        }
    }

    @Command(name = "list", aliases = {"ls", "show"}, description = "The named network namespaces.")
    static final class ListNetns extends CliCommand {
        ListNetns(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (String n : NamedNetns.list()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", n);
                m.put("ns", inode(Netns.named(n).path()));
                rows.add(m);
            }
            if (cli.json) {
                JsonOutput.print(cli.out, rows);
            } else {
                Table t = new Table("NAME", "NS");
                rows.forEach(m -> t.row(m.get("name"), m.get("ns")));
                t.print(cli.out);
            }
            return 0;
        }

        /** The namespace's inode, null (JSON null, an empty cell) when it cannot be read. */
        private static Long inode(java.nio.file.Path p) {
            long ino = NamespaceTable.inode(p);
            return ino < 0 ? null : ino;
        }
    }

    @Command(name = "exec", description = "Run CMD inside network namespace NAME; exits with its code.")
    static final class ExecIn extends CliCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1..*", paramLabel = "CMD", description = "The command, after --.")
        List<String> command = new ArrayList<>();

        ExecIn(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            Netns ns = Cli.existing(name, "NAME");
            return ForegroundProcess.run(cli, command, pb -> NsProcess.start(ns, pb));
        }
    }

    @Command(name = "attach", description = "Name the network namespace of process PID as NAME (ip netns attach).")
    static final class Attach extends CliCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "PID")
        long pid;

        Attach(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            if (NamedNetns.exists(name)) {
                throw new CliException("network namespace \"" + name + "\" exists already",
                        "pick another name, or remove it with `podnet netns del " + name + "`");
            }
            if (ProcessHandle.of(pid).isEmpty()) {
                throw new CliException("no process " + pid, "give the PID of a running process (see `podnet ns list -t net`)");
            }
            NamedNetns.attach(name, pid);
            return 0;
        }
    }
}
