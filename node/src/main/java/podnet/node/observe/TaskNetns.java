package podnet.node.observe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import podnet.linux.ns.Netns;

/** Network namespaces as inode numbers: of a task (from /proc/PID/ns/net), of a namespace file. */
public class TaskNetns {
    private static final String[] KERNEL_THREADS = {"ksoftirqd/", "kworker/", "swapper", "<idle>", "migration/",
            "rcu_", "irq/", "napi/"};

    private static final long CACHE_NANOS = 1_000_000_000L;
    /** pid → {inode, when read}: a drop storm comes from a few tasks, read each once a second. */
    private final java.util.Map<Integer, long[]> cache = new java.util.concurrent.ConcurrentHashMap<>();

    /** The inode of {@code pid}'s network namespace, or 0 if it cannot be read (the task is gone). */
    public long netnsOf(int pid) {
        long now = System.nanoTime();
        long[] c = cache.get(pid);
        if (c != null && now - c[1] < CACHE_NANOS) {
            return c[0];
        }
        if (cache.size() > 4096) {
            cache.clear();
        }
        long ino = inodeOfLink(Path.of("/proc/" + pid + "/ns/net"));
        cache.put(pid, new long[] {ino, now});
        return ino;
    }

    /** Whether a task name is one of the kernel's threads, which run softirqs for any namespace. */
    public boolean isKernelThread(String comm) {
        for (String k : KERNEL_THREADS) {
            if (comm.startsWith(k)) {
                return true;
            }
        }
        return false;
    }

    /** The inode of {@code ns} (0 if it does not exist). */
    public static long inodeOf(Netns ns) {
        if (ns.isCurrent()) {
            return inodeOfLink(Path.of("/proc/thread-self/ns/net"));
        }
        try {
            return ((Number) Files.getAttribute(ns.path(), "unix:ino")).longValue();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** "net:[4026532000]" → 4026532000. */
    static long inodeOfLink(Path link) {
        try {
            String t = Files.readSymbolicLink(link).toString();
            int open = t.indexOf('['), close = t.indexOf(']');
            return open < 0 || close < open ? 0 : Long.parseLong(t.substring(open + 1, close));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
