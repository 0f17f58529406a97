package podnet.cli;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import podnet.node.namespace.NamespaceStore;

/** {@code podnet namespace}: namespaces and their labels (what namespaceSelectors match). */
@Command(name = "namespace", aliases = {"ns-labels"}, description = "Kubernetes namespaces of this node's pods, and their labels.",
        subcommands = {NamespaceCommand.ListNamespaces.class, NamespaceCommand.Label.class})
final class NamespaceCommand extends CommandGroup {

    @Command(name = "list", aliases = {"ls", "get"}, description = "NAME LABELS.")
    static final class ListNamespaces extends CliCommand {
        ListNamespaces(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            List<NamespaceStore.Namespace> all = new NamespaceStore(cli.stateDir).list();
            if (cli.json) {
                JsonOutput.print(cli.out, all.stream().map(n -> java.util.Map.of("name", n.name(), "labels", n.labels())).toList());
                return 0;
            }
            Table t = new Table("NAME", "LABELS");
            for (NamespaceStore.Namespace n : all) {
                t.row(n.name(), String.join(",", n.labels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
            }
            t.print(cli.out);
            return 0;
        }
    }

    @Command(name = "label", description = "Set KEY=VALUE or remove KEY- labels of namespace NS (created if new); policies follow.")
    static final class Label extends CliCommand {
        @Parameters(index = "0", paramLabel = "NS")
        String namespace;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY=VALUE|KEY-")
        List<String> changes;

        Label(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            LabelChanges c = LabelChanges.parse(changes);
            try {
                NamespaceStore.checkName(namespace);
                PolicyCommand.policies(cli).labelNamespace(namespace, c.set(), c.remove());
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage(), "namespace names are DNS labels; kubernetes.io/metadata.name is set by podnet");
            }
            cli.out.println("namespace/" + namespace + " labeled");
            return 0;
        }
    }
}
