package podnet.node.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import podnet.linux.sys.Spawn;

/**
 * Calls a plugin executable the way a runtime does (fork/exec, CNI_* environment, config on
 * stdin) from the calling thread, which must be in the node's network namespace, and times it.
 * posix_spawn keeps the harness light: what is timed is the plugin, not the launcher.
 */
final class PluginExec {
    private PluginExec() {}

    /** podnet's own settings that pass through to our shims (which podnetd, auto-start, idle exit). */
    static final List<String> PASS_THROUGH = List.of("PODNET_SOCKET", "PODNET_AUTOSTART", "PODNET_IDLE_EXIT");

    record Call(int exit, String stdout, long nanos) {
        boolean ok() {
            return exit == 0;
        }
    }

    static Call run(PluginSet set, String command, String containerId, Path podNetns, String conf) {
        return run(set, command, containerId, podNetns, conf, Map.of());
    }

    /** {@link #run(PluginSet, String, String, Path, String)} with {@code extra} added to the environment. */
    static Call run(PluginSet set, String command, String containerId, Path podNetns, String conf, Map<String, String> extra) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("CNI_COMMAND", command);
        env.put("CNI_PATH", set.dir().toString());
        for (String k : PASS_THROUGH) {
            String v = System.getenv(k);
            if (v != null) {
                env.put(k, v);
            }
        }
        env.putAll(extra);
        if (!command.equals("VERSION")) {
            env.put("CNI_CONTAINERID", containerId);
            env.put("CNI_NETNS", podNetns.toString());
            env.put("CNI_IFNAME", "eth0");
        }
        byte[] stdin = conf.getBytes(StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        Spawn.Result r = Spawn.run(set.dir().resolve("bridge"), List.of(), env, stdin);
        long nanos = System.nanoTime() - t0;
        return new Call(r.exitCode(), new String(r.stdout(), StandardCharsets.UTF_8), nanos);
    }
}
