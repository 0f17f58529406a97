package podnet.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import podnet.node.bench.ChurnBench;
import podnet.node.bench.CniBench;
import podnet.node.bench.PluginSet;

/**
 * {@code podnet bench cni} and {@code podnet bench churn}: our plugins against the reference, in
 * one run, in throwaway namespaces; {@code podnet bench flows}: the observer's flow table.
 */
@Command(name = "bench", description = "Benchmarks.", subcommands = {BenchCommand.Cni.class, BenchCommand.Churn.class, BenchCommand.Flows.class})
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

    /** What {@code bench cni} and {@code bench churn} compare: two plugin directories and the config's cniVersion. */
    static final class Sides {
        @Option(names = "--ours", required = true, description = "Directory with our bridge, host-local, loopback (see: podnet cni install).")
        Path ours;

        @Option(names = "--reference", defaultValue = "/usr/lib/cni", description = "The reference plugins (default: ${DEFAULT-VALUE}).")
        Path reference;

        @Option(names = "--cni-version", defaultValue = "1.0.0", description = "cniVersion of the config (the reference 1.1.1 stops at 1.0.0).")
        String cniVersion;

        /** The two plugin directories, checked: ours first, so ratios read ours/reference. */
        List<PluginSet> sets() {
            for (Path d : List.of(ours, reference)) {
                if (!Files.isExecutable(d.resolve("bridge")) || !Files.isExecutable(d.resolve("host-local"))) {
                    throw new IllegalArgumentException(d + " has no bridge and host-local executables");
                }
            }
            return new ArrayList<>(List.of(new PluginSet("podnet", ours.toAbsolutePath()),
                    new PluginSet("reference", reference.toAbsolutePath())));
        }
    }

    static List<Boolean> masqSettings(String masq) {
        return switch (masq) {
            case "on" -> List.of(true);
            case "off" -> List.of(false);
            case "both" -> List.of(false, true);
            default -> throw new IllegalArgumentException("--masq takes on, off or both, not " + masq);
        };
    }

    @Command(name = "cni", description = "Time CNI ADD/CHECK/DEL/VERSION of two plugin directories side by side (ratio = first/second).")
    static final class Cni extends CliCommand {
        Cni(Cli cli) {
            super(cli);
        }

        @Mixin
        Sides sides;

        @Option(names = "--pods", defaultValue = "20", description = "Sequential pods (default: ${DEFAULT-VALUE}).")
        int pods;

        @Option(names = "--concurrent", defaultValue = "50", description = "Pods in the concurrent burst (default: ${DEFAULT-VALUE}).")
        int concurrent;

        @Option(names = "--masq", defaultValue = "both", description = "ipMasq: on, off or both (default: ${DEFAULT-VALUE}).")
        String masq;

        @Option(names = "--cold", defaultValue = "3", description = "Fresh podnetd starts whose first ADD is timed,"
                + " for a directory with the podnetd launcher (default: ${DEFAULT-VALUE}).")
        int cold;

        @Override
        public Integer call() {
            List<PluginSet> sets = sides.sets();
            var rows = new CniBench(new CniBench.Options(sets, pods, concurrent, masqSettings(masq), sides.cniVersion, cold),
                    cli.err).run();
            CniBench.print(rows, sets, cli.out);
            return 0;
        }
    }

    @Command(name = "churn", description = "Pod churn: N pods, each ADD then DEL through the executables, C at a time;"
            + " pods/s and per-call p50/p99 of two plugin directories side by side (ratio = first/second).")
    static final class Churn extends CliCommand {
        Churn(Cli cli) {
            super(cli);
        }

        @Mixin
        Sides sides;

        @Option(names = {"-n", "--pods"}, defaultValue = "200", description = "Pods per round (default: ${DEFAULT-VALUE}).")
        int pods;

        @Option(names = {"-c", "--concurrency"}, defaultValue = "16", description = "Pods in flight at once (default: ${DEFAULT-VALUE}).")
        int concurrency;

        @Option(names = "--rounds", defaultValue = "2", description = "Rounds per side, taking turns A B A B (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--masq", defaultValue = "off", description = "ipMasq: on, off or both (default: ${DEFAULT-VALUE}).")
        String masq;

        @Override
        public Integer call() {
            List<PluginSet> sets = sides.sets();
            var results = new ChurnBench(new ChurnBench.Options(sets, pods, concurrency, rounds, masqSettings(masq), sides.cniVersion),
                    cli.err).run();
            ChurnBench.print(results, sets, cli.out);
            // Anything left behind or any failed call is a failed run, whatever the speed.
            return results.stream().allMatch(ChurnBench.Result::clean) ? 0 : 1;
        }
    }
}
