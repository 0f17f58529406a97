package podnet.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import podnet.cni.runtime.CniRuntime;
import podnet.cni.runtime.InProcessRuntime;
import podnet.linux.ns.NamedNetns;
import podnet.linux.ns.Netns;

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
    private final Supplier<CniRuntime> runtime;

    /** {@code runtime} null: the default, see {@link #loadRuntime()}. */
    public Cli(PrintStream out, PrintStream err, Map<String, String> env, Supplier<CniRuntime> runtime) {
        this.out = out;
        this.err = err;
        this.nodeNetns = blankToNull(env.get("PODNET_NODE_NETNS"));
        String dir = blankToNull(env.get("PODNET_STATE_DIR"));
        this.stateDir = dir == null ? DEFAULT_STATE_DIR : Path.of(dir);
        this.runtime = runtime;
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

    /**
     * The runtime pods are attached with: podnet's plugins in this JVM, other plugin types
     * (portmap, tuning, ...) exec'd from the usual CNI directories; results cached under the
     * state directory, beside the pods they belong to.
     */
    CniRuntime runtime() {
        if (runtime != null) {
            return runtime.get();
        }
        return runtimeFor(stateDir);
    }

    /** The real runtime for pods kept under {@code stateDir}. */
    static CniRuntime runtimeFor(Path stateDir) {
        return new InProcessRuntime(DEFAULT_BIN_DIRS, stateDir.resolve("cni-results"));
    }

    static final List<Path> DEFAULT_BIN_DIRS = List.of(Path.of("/opt/cni/bin"), Path.of("/usr/lib/cni"));

    boolean streamsAreSystem() {
        return out == System.out && err == System.err;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
