package podnet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import podnet.cri.api.ExecSyncResponse;
import podnet.linux.ns.NsProcess;
import podnet.node.pod.ContainerPort;
import podnet.node.cri.CriManifest;
import podnet.node.cri.CriPodOptions;
import podnet.node.cri.CriPodRecord;
import podnet.node.cri.CriPods;
import podnet.node.cri.HostPortSpec;
import podnet.node.pod.Containers;
import podnet.node.policy.PodMembership;
import podnet.node.policy.PolicyManifest;
import podnet.node.pod.PodManifest;
import podnet.node.pod.PodRecord;
import podnet.node.pod.PodSandbox;
import podnet.node.pod.PodSpec;
import podnet.node.pod.PodStatus;
import podnet.node.pod.Pods;

/**
 * {@code podnet pod}: pods on this node, like a tiny kubelet + kubectl. Two runtimes: podnet's
 * own (host programs in pinned namespaces, the default) and a CRI runtime (containerd: a pause
 * sandbox and containers from an image); exec, logs, list and rm work on both.
 */
@Command(name = "pod", description = "Pods: shared net/uts/ipc namespaces, attached with CNI; host programs, "
        + "or containers on containerd's CRI (--runtime cri).",
        subcommands = {PodCommand.Run.class, PodCommand.ExecIn.class, PodCommand.ListPods.class, PodCommand.Logs.class,
                PodCommand.Rm.class, PodCommand.Label.class})
final class PodCommand extends CommandGroup {

    static Pods pods(Cli cli) {
        return new Pods(cli.stateDir, cli::runtime, new PodMembership(cli.stateDir));
    }

    /** {@code NAME} in {@code --namespace}, or {@code NS/NAME}: the pod's node-wide id. */
    static String id(String ref, String namespace) {
        int slash = ref.indexOf('/');
        return slash < 0 ? PodSpec.id(namespace, ref) : PodSpec.id(ref.substring(0, slash), ref.substring(slash + 1));
    }

    static CriPods criPods(Cli cli) {
        return new CriPods(cli.stateDir);
    }

    @Command(name = "run", description = "Create pod NAME running CMD, or the pod of a manifest (-f).")
    static final class Run extends CliCommand {
        @Option(names = {"-f", "--filename"}, paramLabel = "POD.YAML",
                description = "A Kubernetes Pod manifest: metadata.name, labels, containers[].name/command/args.")
        Path manifest;

        @Option(names = "--network", paramLabel = "CONFLIST",
                description = "CNI network config list (default: cni0 with 10.244.2.0/24, written under the state dir).")
        Path network;

        @Option(names = "--runtime", paramLabel = "RUNTIME", description = "process (default: host programs in "
                + "podnet's sandbox) or cri (a containerd sandbox with the pause image, containers from --image).")
        String runtime;

        @Option(names = "--cri-socket", paramLabel = "PATH", description = "The CRI runtime's socket (default: "
                + "/run/containerd/containerd.sock).")
        Path criSocket;

        @Option(names = "--image", paramLabel = "IMAGE", description = "With --runtime cri: the containers' image "
                + "(default: localhost/podnet/busybox:0.1.0, see `podnet image build`).")
        String image;

        @Option(names = "--cgroup-parent", paramLabel = "CGROUP", description = "With --runtime cri: the sandbox's parent "
                + "cgroup, as a kubelet sets it (default: the runtime's, /k8s.io with cgroupfs).")
        String cgroupParent;

        @Option(names = {"-p", "--publish"}, paramLabel = "HOSTPORT:PORT[/tcp|udp]",
                description = "With --runtime cri: a hostPort (the portmap plugin forwards it).")
        List<String> publish = new ArrayList<>();

        @Parameters(arity = "0..*", paramLabel = "NAME -- CMD", description = "The pod's name, then the command after --.")
        List<String> words = new ArrayList<>();

        @Option(names = "--namespace", paramLabel = "NS", description = "The pod's namespace (default: default, or the manifest's).")
        String namespace;

        @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE", description = "A label (repeatable), added to the manifest's.")
        Map<String, String> labels = new java.util.LinkedHashMap<>();

        @Option(names = "--port", paramLabel = "NAME=NUM[/PROTO]", description = "A declared container port (repeatable), e.g. http=80/TCP.")
        List<String> ports = new ArrayList<>();

        Run(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            PolicyManifest.checkLabels(labels, "--label");
            PodSpec spec = spec().with(namespace, labels, ports.stream().map(ContainerPort::parse).toList());
            CriManifest fromManifest = manifest != null ? criManifest() : null;
            String rt = runtime != null ? runtime : fromManifest != null ? fromManifest.runtime() : "process";
            if (!rt.equals("process") && !rt.equals("cri")) {
                throw new CliException("unknown runtime \"" + rt + "\"", "use --runtime process (the default) or cri");
            }
            if (rt.equals("cri")) {
                List<HostPortSpec> hostPorts = new ArrayList<>(fromManifest != null ? fromManifest.ports() : List.of());
                publish.forEach(p -> hostPorts.add(HostPortSpec.parse(p)));
                String img = image != null ? image : fromManifest != null ? fromManifest.image() : null;
                CriPodRecord r = criPods(cli).run(spec, new CriPodOptions(criSocket, img, hostPorts, cgroupParent));
                CriPodRecord.Container first = r.containers().get(0);
                if (cli.json) {
                    JsonOutput.print(cli.out, Map.of("name", r.name(), "runtime", "cri", "sandboxId", r.sandboxId(),
                            "container", first.id()));
                } else {
                    cli.out.println("pod/" + r.name() + " created (cri sandbox " + r.sandboxId().substring(0, 12)
                            + ", image " + r.image() + (r.ports().isEmpty() ? "" : ", ports " + r.ports()) + ")");
                }
                return 0;
            }
            if (criSocket != null || image != null || !publish.isEmpty()) {
                throw new CliException("--cri-socket, --image and -p need --runtime cri",
                        "the process runtime runs host programs and has no hostPorts");
            }
            cli.nodeNetns(); // a missing --node-netns is reported before anything is made
            PodRecord r = pods(cli).run(spec, network, cli.nodeNetns);
            if (cli.json) {
                JsonOutput.print(cli.out, r.toJson());
            } else {
                cli.out.println("pod/" + r.name() + " created"
                        + (r.ip() != null ? " (ip " + r.ip() + ", netns " + r.netns() + ")" : ""));
            }
            return 0;
        }

        private CriManifest criManifest() {
            try {
                return CriManifest.parse(Files.readString(manifest));
            } catch (IOException e) {
                throw new CliException("cannot read " + manifest + ": " + e.getMessage(), "check the path");
            }
        }

        private PodSpec spec() {
            if (manifest != null) {
                if (!words.isEmpty()) {
                    throw new CliException("give either -f POD.YAML or NAME -- CMD, not both");
                }
                try {
                    return PodManifest.parse(Files.readString(manifest));
                } catch (IOException e) {
                    throw new CliException("cannot read " + manifest + ": " + e.getMessage(), "check the path");
                }
            }
            if (words.size() < 2) {
                throw new CliException("pod run needs a name and a command",
                        "e.g. `podnet pod run busybox1 -- sleep 3600`, or `podnet pod run -f pod.yaml`");
            }
            return PodSpec.single(words.get(0), words.subList(1, words.size()));
        }
    }

    @Command(name = "exec", description = "Run CMD inside pod NAME's namespaces; exits with its code.")
    static final class ExecIn extends CliCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--namespace", paramLabel = "NS", description = "The pod's namespace (or give NS/NAME).")
        String namespace;

        @Option(names = {"-c", "--container"}, paramLabel = "CONTAINER",
                description = "The container to run in (they share net/uts/ipc, so this only checks it exists).")
        String container;

        @Parameters(index = "1..*", paramLabel = "CMD")
        List<String> command = new ArrayList<>();

        ExecIn(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            CriPods cri = criPods(cli);
            if (cri.isCri(name)) {
                if (command.isEmpty()) {
                    throw new CliException("pod exec needs a command", "e.g. `podnet pod exec " + name + " -- ip addr`");
                }
                ExecSyncResponse r = cri.exec(name, container, command, 0);
                cli.out.write(r.getStdout().toByteArray(), 0, r.getStdout().size());
                cli.err.write(r.getStderr().toByteArray(), 0, r.getStderr().size());
                cli.out.flush();
                cli.err.flush();
                return r.getExitCode();
            }
            Pods pods = pods(cli);
            PodRecord r = pods.require(id(name, namespace));
            if (container != null && r.containers().stream().noneMatch(c -> c.name().equals(container))) {
                throw new CliException("pod " + name + " has no container " + container,
                        "its containers: " + r.containers().stream().map(c -> c.name()).toList());
            }
            PodSandbox sandbox = pods.sandbox(r);
            if (!sandbox.exists()) {
                throw new CliException("pod " + name + " has lost its namespaces", "remove it with `podnet pod rm " + name + "`");
            }
            return ForegroundProcess.run(cli, command, pb -> {
                Containers.podEnvironment(pb, name);
                return NsProcess.start(sandbox.nsFiles(), pb);
            });
        }
    }

    @Command(name = "list", aliases = {"ls", "get"}, description = "NAME READY STATUS RESTARTS AGE [IP NODE] like kubectl get pod.")
    static final class ListPods extends CliCommand {
        @Option(names = "-o", paramLabel = "FORMAT", description = "wide: also IP and NODE.")
        String format;

        ListPods(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            if (format != null && !format.equals("wide") && !format.equals("json")) {
                throw new CliException("unknown output format \"" + format + "\"", "use -o wide, or -j for JSON");
            }
            List<PodStatus> all = new ArrayList<>(pods(cli).list());
            all.addAll(criPods(cli).list(Pods.machineHostname()));
            all.sort(java.util.Comparator.comparing(PodStatus::name));
            if (cli.json || "json".equals(format)) {
                JsonOutput.print(cli.out, all.stream().map(PodStatus::toJson).toList());
                return 0;
            }
            if (all.isEmpty()) {
                cli.err.println("No pods found.");
                return 0;
            }
            boolean wide = "wide".equals(format);
            Map<String, String> labels = new java.util.HashMap<>();
            for (PodRecord r : pods(cli).store().list()) {
                String shown = r.id().equals(r.name()) ? r.name() : r.namespace() + "/" + r.name();
                labels.put(shown, r.labels().isEmpty() ? "<none>" : new java.util.TreeMap<>(r.labels()).entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).collect(java.util.stream.Collectors.joining(",")));
            }
            Table t = wide ? new Table("NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "LABELS")
                    : new Table("NAME", "READY", "STATUS", "RESTARTS", "AGE");
            for (PodStatus p : all) {
                String ready = p.ready() + "/" + p.total();
                if (wide) {
                    t.row(p.name(), ready, p.status(), p.restarts(), p.ageText(), p.ipText(), p.node(), labels.get(p.name()));
                } else {
                    t.row(p.name(), ready, p.status(), p.restarts(), p.ageText());
                }
            }
            t.print(cli.out);
            return 0;
        }
    }

    @Command(name = "logs", description = "Print a container's output (stdout and stderr, in the order written).")
    static final class Logs extends CliCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--namespace", paramLabel = "NS", description = "The pod's namespace (or give NS/NAME).")
        String namespace;

        @Option(names = {"-c", "--container"}, paramLabel = "CONTAINER", description = "Default: the pod's first container.")
        String container;

        Logs(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws IOException {
            CriPods cri = criPods(cli);
            if (cri.isCri(name)) {
                cli.out.print(cri.logs(name, container));
                cli.out.flush();
                return 0;
            }
            Pods pods = pods(cli);
            PodRecord r = pods.require(id(name, namespace));
            String c = container != null ? container : r.containers().isEmpty() ? null : r.containers().get(0).name();
            if (c == null || r.containers().stream().noneMatch(x -> x.name().equals(c))) {
                throw new CliException("pod " + name + " has no container " + c,
                        "its containers: " + r.containers().stream().map(x -> x.name()).toList());
            }
            Path log = Containers.log(pods.store().dir(r.id()), c);
            if (Files.exists(log)) {
                try (var in = Files.newInputStream(log)) {
                    in.transferTo(cli.out);
                }
            }
            cli.out.flush();
            return 0;
        }
    }

    @Command(name = "rm", aliases = {"delete", "del"},
            description = "Remove pod NAME: stop its processes, CNI DEL, remove its namespaces and state.")
    static final class Rm extends CliCommand {
        @Parameters(arity = "1..*", paramLabel = "NAME")
        List<String> names;

        @Option(names = "--namespace", paramLabel = "NS", description = "The pod's namespace (or give NS/NAME).")
        String namespace;


        Rm(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            Pods pods = pods(cli);
            for (String n : names) {
                if (!pods.exists(id(n, namespace))) { // an unknown name fails before any pod is touched
                    throw new CliException("no pod " + n, "see `podnet pod list` for the pods on this node");
                }
            }
            CriPods cri = criPods(cli);
            for (String n : names) {
                List<String> problems = cri.isCri(n) ? cri.remove(n) : pods.remove(id(n, namespace));
                problems.forEach(p -> cli.err.println("podnet: warning: pod " + n + ": " + p));
                if (!cli.json) {
                    cli.out.println("pod \"" + n + "\" deleted");
                }
            }
            if (cli.json) {
                JsonOutput.print(cli.out, Map.of("deleted", names));
            }
            return 0;
        }
    }

    @Command(name = "label", description = "Set KEY=VALUE or remove KEY- labels of pod NAME (policies follow at once).")
    static final class Label extends CliCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY=VALUE|KEY-")
        List<String> changes;

        @Option(names = "--namespace", paramLabel = "NS", description = "The pod's namespace (or give NS/NAME).")
        String namespace;

        Label(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            LabelChanges c = LabelChanges.parse(changes);
            Pods pods = pods(cli);
            PodRecord r = pods.label(id(name, namespace), c.set(), c.remove());
            PodMembership.policies(cli.stateDir, r.nodeNetns()).sync();
            cli.out.println("pod/" + r.name() + " labeled");
            return 0;
        }
    }
}
