package podnet.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code podnet} command. */
@Command(name = "podnet", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "The Kubernetes single-node pod network, on the real kernel.",
        subcommands = {LinkCommand.class, CaptureCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (tests call this in-process). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/podnet-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"podnet " + p.getProperty("version", "dev")};
        }
    }
}
