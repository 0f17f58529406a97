package podnet.cni.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import com.fasterxml.jackson.jr.ob.JSON;
import podnet.cni.CniResponse;
import podnet.cni.PluginRunner;
import podnet.linux.ns.Netns;
import podnet.linux.ns.NsProcess;
import podnet.linux.testing.ChildProcess;

/** Test driver: one plugin call with a CNI environment, ours in-process or the reference exec'd. */
public record Cni(String command, String containerId, String netns, String ifName, String args, String path) {

    public static Cni of(String command, String containerId, String netns, String ifName) {
        return new Cni(command, containerId, netns, ifName, null, "/usr/lib/cni");
    }

    public Cni command(String c) {
        return new Cni(c, containerId, netns, ifName, args, path);
    }

    public Cni args(String a) {
        return new Cni(command, containerId, netns, ifName, a, path);
    }

    public Cni withPath(java.nio.file.Path dir) {
        return new Cni(command, containerId, netns, ifName, args, dir + ":/usr/lib/cni");
    }

    /** CNI_PATH exactly {@code path}. */
    public Cni path(String path) {
        return new Cni(command, containerId, netns, ifName, args, path);
    }

    public Cni netns(String n) {
        return new Cni(command, containerId, n, ifName, args, path);
    }

    public Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        if (containerId != null) {
            env.put("CNI_CONTAINERID", containerId);
        }
        if (netns != null) {
            env.put("CNI_NETNS", netns);
        }
        if (ifName != null) {
            env.put("CNI_IFNAME", ifName);
        }
        if (args != null) {
            env.put("CNI_ARGS", args);
        }
        if (path != null) {
            env.put("CNI_PATH", path);
        }
        return env;
    }

    /** Runs our plugin in-process on a thread inside {@code node} (the host side). */
    public Out ours(Netns node, String plugin, String conf) {
        CniResponse r = node.call(() -> PluginRunner.run(plugin, env(), conf.getBytes(StandardCharsets.UTF_8)));
        return new Out(r.exitCode(), r.stdoutText());
    }

    /** Runs our plugin as its executable would (delegated plugins found in CNI_PATH), inside {@code node}. */
    public Out oursAsExecutable(Netns node, String plugin, String conf) {
        CniResponse r = node.call(() -> PluginRunner.runExecutable(plugin, env(), conf.getBytes(StandardCharsets.UTF_8)));
        return new Out(r.exitCode(), r.stdoutText());
    }

    /** Runs a reference plugin from /usr/lib/cni, started from a thread inside {@code node}. */
    public Out reference(Netns node, String plugin, String conf) {
        ProcessBuilder pb = new ProcessBuilder("/usr/lib/cni/" + plugin);
        pb.environment().putAll(env());
        ChildProcess.Result r = ChildProcess.finish(NsProcess.start(node, pb), conf.getBytes(StandardCharsets.UTF_8),
                java.time.Duration.ofSeconds(30));
        return new Out(r.exit(), r.out());
    }

    public record Out(int exit, String stdout) {
        @SuppressWarnings("unchecked")
        public Map<String, Object> json() {
            try {
                return stdout.isBlank() ? Map.of() : (Map<String, Object>) JSON.std.anyFrom(stdout);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + stdout, e);
            }
        }

        public Out ok() {
            assertThat(exit).as("exit code; stdout: %s", stdout).isZero();
            return this;
        }

        public int code() {
            assertThat(exit).as("should fail; stdout: %s", stdout).isNotZero();
            return ((Number) json().get("code")).intValue();
        }

        public String msg() {
            return String.valueOf(json().get("msg"));
        }

        @SuppressWarnings("unchecked")
        public List<Map<String, Object>> list(String key) {
            Object o = json().get(key);
            return o == null ? List.of() : (List<Map<String, Object>>) o;
        }

        /** The first ips[].address. */
        public String address(int i) {
            return (String) list("ips").get(i).get("address");
        }
    }
}
