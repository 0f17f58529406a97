package podnet.cli;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import podnet.node.namespace.NamespaceStore;
import podnet.node.pod.PodRecord;
import podnet.node.pod.PodStore;
import podnet.node.policy.NetworkPolicy;

/** {@code podnet namespace}: namespaces and their labels (what namespaceSelectors match). */
@Command(name = "namespace", aliases = {"ns-labels"}, description = "Kubernetes namespaces of this node's pods, and their labels.",
        subcommands = {NamespaceCommand.ListNamespaces.class, NamespaceCommand.Label.class, NamespaceCommand.Delete.class})
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

    @Command(name = "delete", aliases = {"rm", "del"}, description = "Forget namespace NS and its labels; refused while pods are in it. Its policies are kept.")
    static final class Delete extends CliCommand {
        @Parameters(index = "0", paramLabel = "NS")
        String namespace;

        Delete(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            List<NetworkPolicy> kept;
            try {
                kept = PolicyCommand.policies(cli).deleteNamespace(namespace, () -> new PodStore(cli.stateDir).list().stream()
                        .filter(p -> p.namespace().equals(namespace)).map(PodRecord::name).toList());
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage(), "namespace names are DNS labels");
            }
            cli.out.println("namespace \"" + namespace + "\" deleted");
            if (!kept.isEmpty()) {
                cli.err.println("podnet: note: " + kept.size() + " polic" + (kept.size() == 1 ? "y" : "ies") + " of " + namespace
                        + " kept; they apply again if it comes back (podnet policy delete " + kept.getFirst().key() + " …)");
            }
            return 0;
        }
    }
}
