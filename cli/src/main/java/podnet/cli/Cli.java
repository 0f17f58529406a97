package podnet.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import podnet.cni.runtime.CniRuntime;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;
import podnet.node.pod.Pods;

/**
 * What every command of one invocation shares: where output goes, the global options
 * ({@code -n}, {@code -j}, {@code --node-netns}, {@code --state-dir}) and the CNI runtime that
 * pods are attached with. Tests build one with their own streams, state directory and runtime.
 */
public final class Cli {
    public static final Path DEFAULT_STATE_DIR = Path.of("/run/podnet");

    final PrintStream out;
    final PrintStream err;
    String netns;
    boolean json;
    String nodeNetns;
    Path stateDir;
    /** The environment the command was started with (PATH for the programs a command needs). */
    final Map<String, String> env;
    private final Supplier<CniRuntime> runtime;

    /** {@code runtime} null: the default, see {@link #loadRuntime()}. */
    public Cli(PrintStream out, PrintStream err, Map<String, String> env, Supplier<CniRuntime> runtime) {
        this.out = out;
        this.err = err;
        this.nodeNetns = blankToNull(env.get("PODNET_NODE_NETNS"));
        String dir = blankToNull(env.get("PODNET_STATE_DIR"));
        this.stateDir = dir == null ? DEFAULT_STATE_DIR : Path.of(dir);
        this.runtime = runtime;
        this.env = Map.copyOf(env);
    }

    /** The real process's streams and environment, and the in-process CNI runtime. */
    public static Cli system() {
        return new Cli(System.out, System.err, System.getenv(), null);
    }

    /** The namespace {@code -n} selected (current if none); it must exist. */
    Netns netns() {
        return existing(netns, "-n");
    }

    /** The node namespace pods attach to ({@code --node-netns}); current if none. */
    Netns nodeNetns() {
        return existing(nodeNetns, "--node-netns");
    }

    static Netns existing(String name, String option) {
        if (name == null) {
            return Netns.CURRENT;
        }
        Netns ns = Netns.named(name);
        if (!NamedNetns.exists(name)) {
            throw new CliException("network namespace \"" + name + "\" does not exist (" + option + ")",
                    "create it with `podnet netns add " + name + "` or pick one from `podnet netns list`");
        }
        return ns;
    }

    /** The runtime pods are attached with: the one handed in, else {@link Pods#defaultRuntime}. */
    CniRuntime runtime() {
        if (runtime != null) {
            return runtime.get();
        }
        return Pods.defaultRuntime(stateDir);
    }

    boolean streamsAreSystem() {
        return out == System.out && err == System.err;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
