package podnet.cni.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import podnet.linux.sys.FileDescriptor;

/**
 * Paths in a call that name "this process": {@code /proc/self}, {@code /proc/thread-self},
 * {@code /dev/fd}, {@code /dev/stdin}... To an exec'd plugin they are the plugin itself; in
 * podnetd they would be the daemon, whose netns is not the caller's. So CNI_NETNS is rewritten
 * to the caller's own {@code /proc/PID} (its pid as its pid namespace counts it), and
 * {@code CNI_NETNS=/proc/self/ns/net} is refused as the plugin's own netns, as it is when exec'd.
 */
final class CallerPaths {
    private CallerPaths() {}

    /** {@code env} with CNI_NETNS made to mean what it means to an exec'd plugin. */
    static Map<String, String> resolve(Map<String, String> env, long callerPid) {
        String netns = env.get("CNI_NETNS");
        String resolved = netns == null ? null : resolve(netns, callerPid);
        if (resolved == null || resolved.equals(netns)) {
            return env;
        }
        Map<String, String> out = new HashMap<>(env);
        out.put("CNI_NETNS", resolved);
        return out;
    }

    static String resolve(String path, long pid) {
        String p = Path.of(path).normalize().toString();
        String proc = "/proc/" + pid;
        for (String[] alias : new String[][] {{"/proc/self", proc}, {"/proc/thread-self", proc + "/task/" + pid},
                {"/dev/fd", proc + "/fd"}, {"/dev/stdin", proc + "/fd/0"}, {"/dev/stdout", proc + "/fd/1"},
                {"/dev/stderr", proc + "/fd/2"}}) {
            if (p.equals(alias[0]) || p.startsWith(alias[0] + "/")) {
                return alias[1] + p.substring(alias[0].length());
            }
        }
        return path;
    }

    /**
     * The caller's pid in its own pid namespace (the last NSpid of its pidfd): that is what
     * /proc shows once we are in its mount namespace. Falls back to {@code peerPid}.
     */
    static long pidInOwnNamespace(FileDescriptor pidfd, long peerPid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/thread-self/fdinfo/" + pidfd.fd()))) {
                if (line.startsWith("NSpid:")) {
                    String[] f = line.substring(6).strip().split("\\s+");
                    return Long.parseLong(f[f.length - 1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no fdinfo for it: the pid we were told
        }
        return peerPid;
    }
}
