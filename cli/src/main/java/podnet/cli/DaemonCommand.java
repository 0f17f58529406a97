package podnet.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import podnet.cni.daemon.Podnetd;

/** {@code podnet daemon run}: podnetd in the foreground, serving the exec shims. */
@Command(name = "daemon", description = "podnetd, the warm agent behind the CNI executables.",
        subcommands = DaemonCommand.Run.class)
final class DaemonCommand extends CommandGroup {

    @Command(name = "run", description = "Serve CNI calls from the shims on a Unix socket until stopped (SIGTERM/Ctrl-C).")
    static final class Run extends CliCommand {
        @Option(names = "--socket", paramLabel = "PATH", description = "Socket path (default: ${DEFAULT-VALUE}).",
                defaultValue = "/run/podnet/podnetd.sock")
        Path socket;

        @Option(names = "--idle-exit", paramLabel = "SECONDS", defaultValue = "0",
                description = "Exit after this long without calls, never while one is in flight (default: ${DEFAULT-VALUE}, never).")
        long idleExit;

        Run(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() throws InterruptedException {
            try {
                if (idleExit < 0) {
                    throw new CliException("--idle-exit takes seconds >= 0, not " + idleExit, "0 means never");
                }
                return Podnetd.runUntilStopped(socket, idleExit == 0 ? null : java.time.Duration.ofSeconds(idleExit), cli.err);
            } catch (IllegalStateException e) {
                throw new CliException(e.getMessage(), "stop the other podnetd first (systemctl stop podnetd), or use --socket");
            }
        }
    }
}
