package podnet.linux.tracefs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of a trace instance podnet made: {@code <prefix>-<pid>-<process start time>-<random>}.
 * The owner is named by pid <em>and</em> start time, so an instance left behind by a run that
 * was SIGKILLed is recognised as stale even after its pid was reused, and one of a live run is
 * never taken for stale.
 */
public record InstanceName(String prefix, long pid, long startTime, String random) {
    private static final Pattern FORM = Pattern.compile("(.+)-(\\d+)-(\\d+)-([0-9a-f]+)");

    /** A fresh name for an instance owned by this process. */
    public static InstanceName mine(String prefix) {
        long pid = ProcessHandle.current().pid();
        return new InstanceName(prefix, pid, startTime(pid),
                Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff)));
    }

    /** The name parsed, or null when it is not of this form with this prefix. */
    public static InstanceName parse(String name, String prefix) {
        Matcher m = FORM.matcher(name);
        if (!m.matches() || !m.group(1).equals(prefix)) {
            return null;
        }
        return new InstanceName(prefix, Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), m.group(4));
    }

    public String text() {
        return prefix + "-" + pid + "-" + startTime + "-" + random;
    }

    /** Whether the process that made it still runs (same pid, same start time). */
    public boolean ownerAlive() {
        return startTime(pid) == startTime;
    }

    /** Field 22 of /proc/PID/stat (clock ticks since boot), or -1 if there is no such process. */
    static long startTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[19]); // fields after "(comm)" start at 3: 22 - 3 = 19
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
