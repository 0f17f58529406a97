package podnet.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code podnet} command. */
@Command(name = "podnet", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, versionProvider = Main.Version.class,
        description = "The Kubernetes single-node pod network, on the real kernel.",
        subcommands = {NsCommand.class, NetnsCommand.class, LinkCommand.class, VethCommand.class,
                AddrCommand.class, RouteCommand.class, BridgeCommand.class, NeighCommand.class,
                PodCommand.class, TopoCommand.class, BenchCommand.class, DemoCommand.class, DaemonCommand.class, TraceCommand.class,
                CniCommand.class, CaptureCommand.class, PolicyCommand.class, NamespaceCommand.class, ImageCommand.class, CriCommand.class,
                ObserveCommand.class, DoctorCommand.class, UiCommand.class, NodeCommand.class})
public final class Main implements Runnable {
    private final Cli cli;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    Main(Cli cli) {
        this.cli = cli;
    }

    @Option(names = {"-n", "--netns"}, paramLabel = "NETNS",
            description = "Run in this named network namespace (like ip -n).")
    void netns(String name) {
        if (name != null) {
            cli.netns = name;
        }
    }

    @Option(names = {"-j", "--json"}, description = "Machine-readable JSON output.")
    void json(boolean on) {
        if (on) {
            cli.json = true;
        }
    }

    @Option(names = "--node-netns", paramLabel = "NETNS",
            description = "The node's network namespace: where pods' host side (cni0, veths) lives. "
                    + "Default: $PODNET_NODE_NETNS, else the current namespace.")
    void nodeNetns(String name) {
        if (name != null) {
            cli.nodeNetns = name;
        }
    }

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where pod records live. Default: $PODNET_STATE_DIR, else /run/podnet.")
    void stateDir(Path dir) {
        if (dir != null) {
            cli.stateDir = dir;
        }
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code. */
    public static int run(String... args) {
        return run(Cli.system(), args);
    }

    /** Runs the CLI with the given streams, environment and runtime (tests call this in-process). */
    public static int run(Cli cli, String... args) {
        CommandLine cl = new CommandLine(new Main(cli), new Factory(cli));
        cl.setOut(new PrintWriter(cli.out, true));
        cl.setErr(new PrintWriter(cli.err, true));
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setParameterExceptionHandler(new UsageErrors(cl.getParameterExceptionHandler()));
        int rc = cl.execute(args);
        cli.out.flush();
        cli.err.flush();
        return rc;
    }

    @Override
    public void run() {
        spec.commandLine().usage(cli.out);
    }

    /** Gives every command that wants it the invocation's {@link Cli}. */
    private record Factory(Cli cli) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                var ctor = cls.getDeclaredConstructor(Cli.class);
                ctor.setAccessible(true);
                return ctor.newInstance(cli);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
        }
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
