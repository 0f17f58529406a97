package podnet.node.pod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import podnet.linux.ns.NsProcess;
import podnet.linux.sys.Signals;

/**
 * Container processes: started inside the pod's namespaces in a session of their own (so they
 * outlive the CLI and get no signals from its terminal), output appended to
 * {@code <pod dir>/<container>.log}, and exit code written to {@code <container>.exit} by a
 * small {@code sh} wrapper that leads the container's process group.
 */
public final class Containers {
    private Containers() {}

    static final String SETSID = "/usr/bin/setsid";
    /** The PATH containers get, and where their programs are looked up before starting. */
    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    static final String SH = "/bin/sh";
    /** Waits for the command, then records its code; $0 is the exit file. */
    private static final String WRAPPER = "\"$@\"; rc=$?; echo $rc > \"$0.tmp\" && mv \"$0.tmp\" \"$0\"; exit $rc";

    public static Path log(Path podDir, String container) {
        return podDir.resolve(container + ".log");
    }

    static Path exitFile(Path podDir, String container) {
        return podDir.resolve(container + ".exit");
    }

    static ContainerRecord start(PodSandbox sandbox, Path podDir, ContainerSpec spec) {
        List<String> cmd = new ArrayList<>(List.of(SETSID, SH, "-c", WRAPPER,
                exitFile(podDir, spec.name()).toString()));
        cmd.addAll(spec.command());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(Path.of("/").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(podDir, spec.name()).toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(log(podDir, spec.name()).toFile()));
        podEnvironment(pb, sandbox.pod());
        Instant started = Instant.now();
        // The JVM's child is not a group leader, so setsid(1) calls setsid() and execs without
        // forking: the pid we get is the session and group leader.
        Process p = NsProcess.start(sandbox.nsFiles(), pb);
        return new ContainerRecord(spec.name(), spec.command(), p.pid(), startTicks(p.pid()).orElse(0), started);
    }

    /** A plain environment, like a container gets: PATH, HOME, HOSTNAME. */
    public static void podEnvironment(ProcessBuilder pb, String pod) {
        var env = pb.environment();
        env.clear();
        env.put("PATH", PATH);
        env.put("HOME", "/root");
        env.put("HOSTNAME", pod);
    }

    /** Whether the container's process is still the one we started (pids get reused). */
    static boolean isRunning(ContainerRecord c) {
        OptionalLong ticks = startTicks(c.pid());
        if (ticks.isEmpty() || ticks.getAsLong() != c.startTicks()) {
            return false;
        }
        return !state(c.pid()).equals("Z");
    }

    /** The recorded exit code, if the container ended normally while podnet's wrapper watched. */
    static OptionalInt exitCode(Path podDir, ContainerRecord c) {
        try {
            return OptionalInt.of(Integer.parseInt(Files.readString(exitFile(podDir, c.name())).strip()));
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * SIGTERM to the container's group, then SIGKILL after {@code graceMillis}, until neither
     * the container's process nor anything left in its process group runs: a command that
     * ignores SIGTERM outlives the wrapper shell that was the group leader, so the leader's
     * exit alone proves nothing. Right after a start the child may not have called setsid()
     * yet (no such group): then the process itself is signalled, and the signal is repeated.
     */
    static void stop(ContainerRecord c, long graceMillis) {
        if (!isRunning(c) && !groupAlive(c)) {
            return;
        }
        long deadline = System.nanoTime() + graceMillis * 1_000_000;
        for (int round = 0; alive(c) && System.nanoTime() < deadline; round++) {
            if (round % 10 == 0) {
                signal(c, Signals.SIGTERM);
            }
            sleep(20);
        }
        for (int i = 0; i < 150 && alive(c); i++) {
            if (i % 10 == 0) {
                signal(c, Signals.SIGKILL);
            }
            sleep(20);
        }
    }

    private static boolean alive(ContainerRecord c) {
        return isRunning(c) || groupAlive(c);
    }

    /** Whether any process is left in the container's process group (signal 0 probes). */
    private static boolean groupAlive(ContainerRecord c) {
        return c.pid() > 1 && Signals.killGroup(c.pid(), 0);
    }

    private static void signal(ContainerRecord c, int sig) {
        if (!Signals.killGroup(c.pid(), sig)) {
            Signals.kill(c.pid(), sig);
        }
    }

    /** Field 22 of /proc/PID/stat: start time in clock ticks since boot. */
    static OptionalLong startTicks(long pid) {
        String[] f = statFields(pid);
        return f == null || f.length < 20 ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(f[19]));
    }

    private static String state(long pid) {
        String[] f = statFields(pid);
        return f == null ? "" : f[0];
    }

    /** The fields after "(comm)", so f[0] is field 3 (state). */
    private static String[] statFields(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
