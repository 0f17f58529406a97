package podnet.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import podnet.node.bench.CniBench;
import podnet.node.bench.PluginSet;

/** {@code podnet bench cni}: our plugins against the reference, in one run, in throwaway namespaces. */
@Command(name = "bench", description = "Benchmarks.", subcommands = {BenchCommand.Cni.class, BenchCommand.Flows.class})
final class BenchCommand extends CommandGroup {

    @Command(name = "flows", description = "Heap the observer's flow table takes at N flows (retained after a full GC).")
    static final class Flows extends CliCommand {
        Flows(Cli cli) {
            super(cli);
        }

        @Option(names = "--flows", defaultValue = "100000", description = "Flows to fill the table with (default: ${DEFAULT-VALUE}).")
        int flows;

        @Override
        public Integer call() {
            if (flows < 1) {
                throw new IllegalArgumentException("--flows must be at least 1");
            }
            var r = podnet.node.bench.FlowTableMemory.measure(flows);
            cli.out.printf("flow table: %d flows, %.1f MiB retained, %.0f bytes per flow%n", r.flows(), r.bytes() / 1048576.0,
                    r.bytesPerFlow());
            return 0;
        }
    }

    @Command(name = "cni", description = "Time CNI ADD/CHECK/DEL/VERSION of two plugin directories side by side (ratio = first/second).")
    static final class Cni extends CliCommand {
        Cni(Cli cli) {
            super(cli);
        }

        @Option(names = "--ours", required = true, description = "Directory with our bridge, host-local, loopback (see: podnet cni install).")
        Path ours;

        @Option(names = "--reference", defaultValue = "/usr/lib/cni", description = "The reference plugins (default: ${DEFAULT-VALUE}).")
        Path reference;

        @Option(names = "--pods", defaultValue = "20", description = "Sequential pods (default: ${DEFAULT-VALUE}).")
        int pods;

        @Option(names = "--concurrent", defaultValue = "50", description = "Pods in the concurrent burst (default: ${DEFAULT-VALUE}).")
        int concurrent;

        @Option(names = "--masq", defaultValue = "both", description = "ipMasq: on, off or both (default: ${DEFAULT-VALUE}).")
        String masq;

        @Option(names = "--cni-version", defaultValue = "1.0.0", description = "cniVersion of the config (the reference 1.1.1 stops at 1.0.0).")
        String cniVersion;

        @Override
        public Integer call() {
            for (Path d : List.of(ours, reference)) {
                if (!Files.isExecutable(d.resolve("bridge")) || !Files.isExecutable(d.resolve("host-local"))) {
                    throw new IllegalArgumentException(d + " has no bridge and host-local executables");
                }
            }
            List<Boolean> settings = switch (masq) {
                case "on" -> List.of(true);
                case "off" -> List.of(false);
                case "both" -> List.of(false, true);
                default -> throw new IllegalArgumentException("--masq takes on, off or both, not " + masq);
            };
            List<PluginSet> sets = new ArrayList<>(List.of(new PluginSet("podnet", ours.toAbsolutePath()),
                    new PluginSet("reference", reference.toAbsolutePath())));
            var rows = new CniBench(new CniBench.Options(sets, pods, concurrent, settings, cniVersion), cli.err).run();
            CniBench.print(rows, sets, cli.out);
            return 0;
        }
    }
}
