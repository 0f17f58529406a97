package podnet.engines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Processes by PID, including ones this JVM did not start (shims, conmon, containers): a
 * zombie counts as gone, since its parent (not us) reaps it.
 */
public final class Pids {
    private Pids() {}

    public static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The state follows the parenthesised command name, which may itself hold ") ".
            String afterName = stat.substring(stat.lastIndexOf(')') + 2);
            return afterName.charAt(0) != 'Z' && afterName.charAt(0) != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** SIGTERM, then SIGKILL if still alive after {@code graceMillis}; waits until it is gone. */
    public static void stop(long pid, long graceMillis) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !alive(pid)) {
            return;
        }
        h.get().destroy();
        if (!awaitGone(pid, graceMillis)) {
            h.get().destroyForcibly();
            awaitGone(pid, 5000);
        }
    }

    public static void kill(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    public static boolean awaitGone(long pid, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (alive(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(10);
        }
        return true;
    }

    /** The namespace identity, e.g. {@code mnt:[4026531841]}, or empty if the process is gone. */
    public static Optional<String> namespace(long pid, String type) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", type)).toString());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Every live process whose namespace of {@code type} is {@code ns}. */
    public static List<Long> inNamespace(String type, String ns) {
        List<Long> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong)
                    .filter(pid -> namespace(pid, type).filter(ns::equals).isPresent())
                    .forEach(found::add);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return found;
    }

    /** Executable of a live process, if readable. */
    public static Optional<Path> exe(long pid) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
