package podnet.engines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A test-unique cgroup subtree (e.g. {@code /podnet-e2e-1a2b3}) under every mounted hierarchy,
 * v1 controllers and v2 alike. Engines running with cgroupfs create it; the test reads
 * container PIDs from it and removes it, killing what is left inside.
 */
public final class CgroupTree {
    private final String name;

    public CgroupTree(String name) {
        if (name.isBlank() || name.contains("/") || name.startsWith(".")) {
            throw new IllegalArgumentException("one plain cgroup name expected: " + name);
        }
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** The hierarchy mount points (cgroup and cgroup2) from /proc/self/mounts. */
    static List<Path> hierarchies() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mounts")).stream().map(l -> l.split(" "))
                    .filter(f -> f.length > 2 && (f[2].equals("cgroup") || f[2].equals("cgroup2")))
                    .map(f -> Path.of(f[1])).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This subtree's directory in each hierarchy where it exists. */
    public List<Path> roots() {
        return hierarchies().stream().map(h -> h.resolve(name)).filter(Files::isDirectory).toList();
    }

    /** A PID in {@code sub} (relative to the subtree) or below, from the first hierarchy that has one. */
    public OptionalLong firstPid(String sub) {
        return firstPid(sub, dir -> true);
    }

    /** Like {@link #firstPid(String)}, counting only cgroups whose directory name passes {@code leaf}. */
    public OptionalLong firstPid(String sub, Predicate<String> leaf) {
        for (Path root : roots()) {
            Set<Long> pids = pidsUnder(root.resolve(sub), leaf);
            if (!pids.isEmpty()) {
                return OptionalLong.of(pids.iterator().next());
            }
        }
        return OptionalLong.empty();
    }

    public Set<Long> pids() {
        Set<Long> all = new LinkedHashSet<>();
        roots().forEach(r -> all.addAll(pidsUnder(r, dir -> true)));
        return all;
    }

    private static Set<Long> pidsUnder(Path dir, Predicate<String> leaf) {
        Set<Long> pids = new LinkedHashSet<>();
        if (!Files.isDirectory(dir)) {
            return pids;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path procs : s.filter(p -> p.getFileName().toString().equals("cgroup.procs"))
                    .filter(p -> leaf.test(p.getParent().getFileName().toString())).toList()) {
                try {
                    Files.readAllLines(procs).stream().map(String::strip).filter(l -> !l.isEmpty())
                            .map(Long::parseLong).forEach(pids::add);
                } catch (IOException e) {
                    // The cgroup went away while we walked: nothing in it any more.
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // Same: a directory vanished during the walk.
        }
        return pids;
    }

    /** Kills every process left in the subtree and removes its directories, deepest first. */
    public void remove() {
        for (long pid : pids()) {
            Pids.kill(pid);
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!roots().isEmpty()) {
            for (Path root : roots()) {
                for (Path dir : directoriesDeepestFirst(root)) {
                    try {
                        Files.deleteIfExists(dir); // rmdir; EBUSY while a dying task still counts
                    } catch (IOException e) {
                        // retried below
                    }
                }
            }
            if (roots().isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("cgroups not removable: " + roots() + " pids " + pids());
            }
            pids().forEach(Pids::kill);
            Pids.sleep(50);
        }
    }

    private static List<Path> directoriesDeepestFirst(Path root) {
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(Files::isDirectory).forEach(dirs::add);
        } catch (IOException | UncheckedIOException e) {
            return dirs;
        }
        dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return dirs;
    }
}
