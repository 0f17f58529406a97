package podnet.engines;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The shell commands that give an engine its private view of the host's fixed paths, run at
 * the start of a fresh private mount namespace: a tmpfs over a directory, or a bind mount of
 * one of the test's directories over a path the engine insists on (containerd 1.6's ctr reads
 * only /etc/cni/net.d and /opt/cni/bin). A target that does not exist is never created on the
 * real filesystem: its nearest existing ancestor gets a tmpfs first (inside the namespace only).
 */
public final class PrivateMounts {
    private final Predicate<Path> exists;
    private final List<Path> tmpfsRoots = new ArrayList<>();
    private final List<String> commands = new ArrayList<>();

    public PrivateMounts() {
        this(Files::isDirectory);
    }

    PrivateMounts(Predicate<Path> exists) {
        this.exists = exists;
    }

    /** An empty private tmpfs over {@code target} (e.g. /run: engine sockets, shim sockets, netns files). */
    public PrivateMounts tmpfs(Path target) {
        reachable(target);
        commands.add("mount -t tmpfs -o mode=755 tmpfs " + quote(target));
        tmpfsRoots.add(target);
        return this;
    }

    /** {@code source} (a real directory) seen at {@code target}, read-write. */
    public PrivateMounts bind(Path source, Path target) {
        reachable(target);
        commands.add("mount --bind " + quote(source) + " " + quote(target));
        return this;
    }

    /** Makes {@code target} a directory that can be mounted on, without touching the real one. */
    private void reachable(Path target) {
        if (!target.isAbsolute() || target.getNameCount() == 0) {
            throw new IllegalArgumentException("not an absolute path below /: " + target);
        }
        if (tmpfsRoots.stream().anyMatch(r -> target.startsWith(r) && !target.equals(r))) {
            commands.add("mkdir -p " + quote(target));
            return;
        }
        if (exists.test(target)) {
            return;
        }
        Path ancestor = target.getParent();
        while (ancestor != null && !exists.test(ancestor)) {
            ancestor = ancestor.getParent();
        }
        if (ancestor == null || ancestor.getNameCount() == 0) {
            throw new IllegalArgumentException("no directory to mount a private " + target
                    + " on: only / exists above it");
        }
        commands.add("mount -t tmpfs -o mode=755 tmpfs " + quote(ancestor));
        tmpfsRoots.add(ancestor);
        commands.add("mkdir -p " + quote(target));
    }

    public List<String> commands() {
        return List.copyOf(commands);
    }

    /** A {@code sh -c} script: the mounts, then {@code exec} of {@code then}. */
    public String script(List<String> then) {
        StringBuilder s = new StringBuilder("set -e\n");
        commands.forEach(c -> s.append(c).append('\n'));
        s.append("exec");
        then.forEach(a -> s.append(' ').append(quote(a)));
        return s.append('\n').toString();
    }

    static String quote(Object o) {
        return "'" + o.toString().replace("'", "'\\''") + "'";
    }
}
