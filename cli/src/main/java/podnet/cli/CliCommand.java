package podnet.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/** A leaf command: gets the invocation's {@link Cli} and accepts {@code -j} where it is typed. */
abstract class CliCommand implements Callable<Integer> {
    final Cli cli;

    CliCommand(Cli cli) {
        this.cli = cli;
    }

    @Option(names = {"-j", "--json"}, description = "Machine-readable JSON output.")
    void json(boolean on) {
        if (on) {
            cli.json = true;
        }
    }

    /** A command that works inside one network namespace, chosen with {@code -n}. */
    abstract static class InNetns extends CliCommand {
        InNetns(Cli cli) {
            super(cli);
        }

        @Option(names = {"-n", "--netns"}, paramLabel = "NETNS",
                description = "Named network namespace (default: the current one).")
        void netns(String name) {
            if (name != null) {
                cli.netns = name;
            }
        }
    }
}
