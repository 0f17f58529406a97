package podnet.cni;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import podnet.cni.spec.Limits;

/**
 * The one-shot executable: {@code java ... podnet.cni.PluginMain bridge|host-local|loopback}.
 * Reads the CNI environment and stdin, prints the result or error JSON, exits with its code.
 */
public final class PluginMain {
    private PluginMain() {}

    public static void main(String[] args) throws IOException {
        String plugin = args.length > 0 ? args[0] : programName();
        // stdout must carry only CNI JSON: anything else printed goes to stderr.
        PrintStream out = System.out;
        System.setOut(System.err);
        // One byte past the limit is enough to refuse it; more is never read into memory.
        byte[] stdin = System.in.readNBytes(Limits.MAX_STDIN + 1);
        Map<String, String> env = System.getenv();
        CniResponse r = PluginRunner.runExecutable(plugin, env, stdin);
        out.write(r.stdout());
        out.flush();
        System.err.flush();
        // halt, not exit: no shutdown hooks to run, and exit's event logging costs a cold JVM ~ms
        Runtime.getRuntime().halt(r.exitCode());
    }

    private static String programName() {
        String cmd = System.getProperty("podnet.cni.program", "");
        return cmd.isEmpty() ? "" : Path.of(cmd).getFileName().toString();
    }
}
