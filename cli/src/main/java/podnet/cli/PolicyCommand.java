package podnet.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import podnet.linux.inet.Cidr;
import podnet.node.pod.PodRecord;
import podnet.node.pod.PodSpec;
import podnet.node.pod.Pods;
import podnet.node.policy.NetworkPolicy;
import podnet.node.policy.PodMembership;
import podnet.node.policy.Policies;
import podnet.node.policy.PolicyDecision;
import podnet.node.policy.PolicyEnforcer;
import podnet.node.policy.PolicyManifest;
import podnet.node.policy.PolicyPort;

/** {@code podnet policy}: the node's NetworkPolicies, like kubectl apply/get/delete networkpolicy. */
@Command(name = "policy", description = "NetworkPolicies (networking.k8s.io/v1), enforced in the node's nftables.",
        subcommands = {PolicyCommand.Apply.class, PolicyCommand.ListPolicies.class, PolicyCommand.Delete.class,
                PolicyCommand.Explain.class})
final class PolicyCommand extends CommandGroup {

    static Policies policies(Cli cli) {
        cli.nodeNetns();
        return PodMembership.policies(cli.stateDir, cli.nodeNetns);
    }

    @Command(name = "apply", description = "Apply the NetworkPolicies of FILE (several documents or a List); all or nothing.")
    static final class Apply extends CliCommand {
        @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE")
        Path file;

        @Option(names = "--namespace", paramLabel = "NS", description = "For objects that name no namespace (default: default).")
        String namespace;

        Apply(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            String text;
            try {
                text = Files.readString(file);
            } catch (IOException e) {
                throw new CliException("cannot read " + file + ": " + e.getMessage(), "check the path");
            }
            List<NetworkPolicy> ps = PolicyManifest.parse(text, namespace == null ? "default" : namespace, namespace != null);
            Policies policies = policies(cli);
            PolicyEnforcer.Outcome o = policies.apply(ps);
            for (NetworkPolicy p : ps) {
                if (!policies.namespaces().exists(p.namespace())) {
                    cli.err.println("podnet: warning: namespace " + p.namespace() + " does not exist yet; "
                            + p.key() + " is kept and applies to its pods when they come");
                }
                if (!cli.json) {
                    cli.out.println("networkpolicy.networking.k8s.io/" + p.name() + " configured (" + p.namespace() + ")");
                }
            }
            if (!o.cut().isEmpty() && !cli.json) {
                cli.out.println(o.cut().size() + " connection(s) now forbidden were cut");
            }
            if (cli.json) {
                JsonOutput.print(cli.out, Map.of("applied", ps.stream().map(NetworkPolicy::key).toList(),
                        "cut", o.cut().stream().map(Object::toString).toList()));
            }
            return 0;
        }
    }

    @Command(name = "list", aliases = {"ls", "get"}, description = "NAMESPACE NAME POD-SELECTOR [TYPES INGRESS EGRESS] like kubectl get netpol.")
    static final class ListPolicies extends CliCommand {
        @Option(names = "-o", paramLabel = "FORMAT", description = "wide: also policy types and rule counts; json.")
        String format;

        ListPolicies(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            if (format != null && !format.equals("wide") && !format.equals("json")) {
                throw new CliException("unknown output format \"" + format + "\"", "use -o wide, or -j for JSON");
            }
            List<NetworkPolicy> all = policies(cli).store().list();
            if (cli.json || "json".equals(format)) {
                JsonOutput.print(cli.out, all.stream().map(NetworkPolicy::manifest).toList());
                return 0;
            }
            if (all.isEmpty()) {
                cli.err.println("No resources found.");
                return 0;
            }
            boolean wide = "wide".equals(format);
            Table t = wide ? new Table("NAMESPACE", "NAME", "POD-SELECTOR", "TYPES", "INGRESS", "EGRESS")
                    : new Table("NAMESPACE", "NAME", "POD-SELECTOR");
            for (NetworkPolicy p : all) {
                if (wide) {
                    t.row(p.namespace(), p.name(), p.podSelector().toString(), p.typesText(),
                            p.ingress() ? p.ingressRules().size() + " rules" : "-", p.egress() ? p.egressRules().size() + " rules" : "-");
                } else {
                    t.row(p.namespace(), p.name(), p.podSelector().toString());
                }
            }
            t.print(cli.out);
            return 0;
        }
    }

    @Command(name = "delete", aliases = {"rm", "del"}, description = "Delete policy NS/NAME (or NAME in --namespace).")
    static final class Delete extends CliCommand {
        @Parameters(arity = "1..*", paramLabel = "NS/NAME")
        List<String> refs;

        @Option(names = "--namespace", paramLabel = "NS")
        String namespace;

        Delete(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            Policies policies = policies(cli);
            List<String[]> keys = new ArrayList<>();
            for (String ref : refs) {
                int slash = ref.indexOf('/');
                String[] k = slash < 0 ? new String[] {namespace == null ? "default" : namespace, ref}
                        : new String[] {ref.substring(0, slash), ref.substring(slash + 1)};
                if (policies.store().get(k[0], k[1]).isEmpty()) {
                    throw new CliException("no policy " + k[0] + "/" + k[1], "see `podnet policy list`");
                }
                keys.add(k);
            }
            for (String[] k : keys) {
                policies.delete(k[0], k[1]);
                cli.out.println("networkpolicy.networking.k8s.io \"" + k[1] + "\" deleted (" + k[0] + ")");
            }
            return 0;
        }
    }

    @Command(name = "explain", description = "Whether SRC may reach DST (pods as NS/NAME or NAME, or addresses), and why.")
    static final class Explain extends CliCommand {
        @Parameters(index = "0", paramLabel = "SRC")
        String src;

        @Parameters(index = "1", paramLabel = "DST")
        String dst;

        @Option(names = "--port", paramLabel = "PORT/PROTO", description = "e.g. 80/TCP (default), 53/UDP.")
        String port = "80/TCP";

        Explain(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            String[] pp = port.split("/");
            int number;
            try {
                number = Integer.parseInt(pp[0]);
            } catch (NumberFormatException e) {
                throw new CliException("bad --port " + port, "give NUMBER/PROTOCOL, e.g. 80/TCP");
            }
            String proto = pp.length > 1 ? pp[1].toUpperCase() : "TCP";
            if (!proto.equals("TCP") && !proto.equals("UDP")) {
                throw new CliException("protocol " + proto + " is not supported", "TCP or UDP (SCTP is not in this kernel)");
            }
            PolicyDecision d = policies(cli).explain(address(src), address(dst), PolicyPort.protocolNumber(proto), number);
            if (cli.json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("allowed", d.allowed());
                m.put("egressSelecting", d.egressSelecting());
                m.put("egressAllowing", d.egressAllowing());
                m.put("ingressSelecting", d.ingressSelecting());
                m.put("ingressAllowing", d.ingressAllowing());
                JsonOutput.print(cli.out, m);
            } else {
                cli.out.println(src + " -> " + dst + " " + number + "/" + proto + ": " + (d.allowed() ? "ALLOWED" : "DENIED"));
                d.reasons().forEach(r -> cli.out.println("  " + r));
            }
            return 0;
        }

        private InetAddress address(String ref) {
            if (ref.matches("[0-9.]+")) {
                return Cidr.parseAddress(ref);
            }
            Pods pods = new Pods(cli.stateDir, cli::runtime);
            int slash = ref.indexOf('/');
            String id = slash < 0 ? ref : PodSpec.id(ref.substring(0, slash), ref.substring(slash + 1));
            PodRecord r = pods.require(id);
            if (r.ip() == null) {
                throw new CliException("pod " + ref + " has no address", "it is not attached; see `podnet pod list -o wide`");
            }
            return PodMembership.of(r).ip();
        }
    }
}
