package podnet.linux.ns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every namespace on the machine, read from /proc like {@code lsns}: the namespaces of each
 * process ({@code /proc/PID/ns/*}), plus those held only by a bind mount (nsfs entries in
 * /proc/self/mountinfo, e.g. named netns with no process inside).
 */
public final class NamespaceTable {
    private NamespaceTable() {}

    public static final List<String> TYPES =
            List.of("cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts");

    /** All namespaces of {@code type} (null for every type), sorted by type then inode. */
    public static List<NamespaceEntry> list(String type) {
        if (type != null && !TYPES.contains(type)) {
            throw new IllegalArgumentException("unknown namespace type \"" + type + "\"; one of " + TYPES);
        }
        Map<String, Acc> byKey = new LinkedHashMap<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"),
                p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                for (String t : TYPES) {
                    if (type != null && !type.equals(t)) {
                        continue;
                    }
                    long inode = inode(proc.resolve("ns").resolve(t));
                    if (inode < 0) {
                        continue;
                    }
                    Acc acc = byKey.computeIfAbsent(t + ":" + inode, k -> new Acc(t, inode));
                    acc.nprocs++;
                    if (acc.pid == 0 || pid < acc.pid) {
                        acc.pid = pid;
                    }
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("read /proc", e);
        }
        addBindMounts(byKey, type);
        List<NamespaceEntry> out = new ArrayList<>();
        for (Acc a : byKey.values()) {
            out.add(new NamespaceEntry(a.inode, a.type, a.nprocs, a.pid, a.pid == 0 ? "" : owner(a.pid),
                    a.pid == 0 ? "" : command(a.pid), a.boundAt));
        }
        out.sort(Comparator.comparing(NamespaceEntry::type).thenComparingLong(NamespaceEntry::inode));
        return out;
    }

    /**
     * The inode of a namespace: from a {@code /proc/PID/ns/*} link ("net:[4026531840]"), or of a
     * bind-mounted namespace file such as {@code /run/netns/NAME}; -1 if unreadable.
     */
    public static long inode(Path nsFile) {
        try {
            if (Files.isSymbolicLink(nsFile)) {
                String target = Files.readSymbolicLink(nsFile).toString();
                int lb = target.indexOf('[');
                return Long.parseLong(target.substring(lb + 1, target.length() - 1));
            }
            return ((Number) Files.getAttribute(nsFile, "unix:ino")).longValue();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static void addBindMounts(Map<String, Acc> byKey, String type) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            return;
        }
        for (String line : lines) {
            // id parent major:minor root mountpoint opts... - fstype source superopts
            String[] f = line.split(" ");
            int dash = java.util.Arrays.asList(f).indexOf("-");
            if (dash < 0 || dash + 1 >= f.length || !f[dash + 1].equals("nsfs") || f.length < 5) {
                continue;
            }
            String root = f[3]; // "net:[4026532287]"
            int colon = root.indexOf(':');
            int lb = root.indexOf('[');
            if (colon < 0 || lb < 0) {
                continue;
            }
            String t = root.substring(0, colon);
            if (type != null && !type.equals(t)) {
                continue;
            }
            long inode = Long.parseLong(root.substring(lb + 1, root.length() - 1));
            Acc acc = byKey.computeIfAbsent(t + ":" + inode, k -> new Acc(t, inode));
            if (acc.boundAt == null) {
                acc.boundAt = f[4].replace("\\040", " ");
            }
        }
    }

    private static String owner(long pid) {
        try {
            return Files.getOwner(Path.of("/proc", Long.toString(pid))).getName();
        } catch (IOException e) {
            return "";
        }
    }

    private static String command(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            String s = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
            if (s.isEmpty()) { // kernel threads have no command line
                s = "[" + Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip() + "]";
            }
            return s;
        } catch (IOException e) {
            return "";
        }
    }

    private static final class Acc {
        final String type;
        final long inode;
        int nprocs;
        long pid;
        String boundAt;

        Acc(String type, long inode) {
            this.type = type;
            this.inode = inode;
        }
    }
}
