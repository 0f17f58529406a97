package podnet.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import podnet.cni.install.AutoStart;
import podnet.cni.install.Installer;
import podnet.cni.install.NodeConflist;

/** {@code podnet cni}: the CNI plugins. */
@Command(name = "cni", description = "The bridge, host-local and loopback CNI plugins.",
        subcommands = {CniCommand.Install.class})
final class CniCommand extends CommandGroup {

    @Command(name = "install", description = "Write the plugin executables (bridge, host-local, loopback: the exec shim,"
            + " or scripts without cc) and podnet-oneshot into a CNI bin dir, and optionally the conflist.")
    static final class Install extends CliCommand {
        @Option(names = "--bin-dir", required = true, paramLabel = "DIR", description = "Where to write the executables, e.g. /opt/cni/bin.")
        Path binDir;

        @Option(names = "--conf-dir", paramLabel = "DIR", description = "Also write " + Installer.CONFLIST_NAME + " here, e.g. /etc/cni/net.d.")
        Path confDir;

        @Option(names = "--subnet", paramLabel = "CIDR", defaultValue = "10.244.2.0/24",
                description = "The node's pod subnet for the conflist (default: ${DEFAULT-VALUE}).")
        String subnet;

        @Option(names = "--mtu", paramLabel = "BYTES", defaultValue = "0", description = "MTU of the pods' veths (default: the kernel's).")
        int mtu;

        @Option(names = "--force", description = "Replace an existing conflist that differs.")
        boolean force;

        @Option(names = "--no-autostart", description = "The executables never start podnetd: without one listening,"
                + " each call runs in a fresh JVM (no resident process).")
        boolean noAutostart;

        @Option(names = "--self-contained", description = "Copy the Java runtime beside the jars and make the scripts"
                + " find everything relative to their own directory: for a bin dir that runs elsewhere"
                + " (a container writing the host's /opt/cni/bin, where no JDK need exist).")
        boolean selfContained;

        @Option(names = "--idle-exit", paramLabel = "SECONDS", defaultValue = "600",
                description = "How long a podnetd the executables started stays without calls (default: ${DEFAULT-VALUE}).")
        long idleExit;

        Install(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            NodeConflist network;
            try {
                network = new NodeConflist(subnet, mtu, true, null);
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage(), "e.g. --subnet 10.244.2.0/24 --mtu 1450");
            }
            AutoStart autoStart;
            try {
                autoStart = new AutoStart(!noAutostart, idleExit);
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage(), "e.g. --idle-exit 600");
            }
            try {
                for (Path p : Installer.install(binDir, confDir, network, force, autoStart, selfContained, cli.err)) {
                    cli.out.println("wrote " + p);
                }
            } catch (IllegalStateException e) {
                throw new CliException(e.getMessage(), "compare the two files, then rerun with --force to replace it");
            }
            return 0;
        }
    }
}
