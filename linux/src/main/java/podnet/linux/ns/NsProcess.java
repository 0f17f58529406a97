package podnet.linux.ns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Starts a process inside namespaces: the child is forked from a thread that joined them, so it
 * is born there (net, uts, ipc; not mnt or user, which a multithreaded process cannot join).
 *
 * <p>Caveat (JDK behaviour, measured): the JDK creates its "process reaper" thread from the
 * forking thread when no idle one exists, so that thread joins the child's namespaces too. It
 * keeps the namespace alive up to 60 s after the child exits (the pool's idle timeout), and
 * {@code onExit()} callbacks run on other threads, never there. Do not rely on a netns vanishing
 * the moment its last process exits while this JVM runs; delete links explicitly.
 */
public final class NsProcess {
    private NsProcess() {}

    public static Process start(List<Path> nsFiles, ProcessBuilder builder) {
        return NsThread.call(nsFiles, () -> startHere(builder, " in " + nsFiles));
    }

    private static Process startHere(ProcessBuilder builder, String where) {
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("start " + builder.command() + where, e);
        }
    }

    public static Process start(Netns netns, ProcessBuilder builder) {
        if (netns.isCurrent()) {
            return NsThread.call(List.of(), () -> startHere(builder, ""));
        }
        return netns.call(() -> startHere(builder, " in " + netns));
    }
}
