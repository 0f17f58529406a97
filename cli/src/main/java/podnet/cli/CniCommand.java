package podnet.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import podnet.cni.install.Installer;

/** {@code podnet cni}: the CNI plugins. */
@Command(name = "cni", description = "The bridge, host-local and loopback CNI plugins.",
        subcommands = {CniCommand.Install.class})
final class CniCommand {

    @Command(name = "install", description = "Write the plugin executables (bridge, host-local, loopback)"
            + " into a CNI bin dir, and optionally the default conflist.")
    static final class Install implements Runnable {
        @Option(names = "--bin-dir", required = true, description = "Where to write the executables, e.g. /opt/cni/bin.")
        Path binDir;

        @Option(names = "--conf-dir", description = "Also write " + Installer.CONFLIST_NAME + " here, e.g. /etc/cni/net.d.")
        Path confDir;

        @Override
        public void run() {
            for (Path p : Installer.install(binDir, confDir)) {
                System.out.println("wrote " + p);
            }
        }
    }
}
