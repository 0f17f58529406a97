package podnet.linux.testing;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * iproute2 as an independent oracle in tests (never in product code): runs {@code ip} and
 * friends, and parses {@code ip -j} output.
 */
public final class Ip {
    private Ip() {}

    public record Result(int exit, String out, String err) {
        public Result ok() {
            if (exit != 0) {
                throw new AssertionError("exit " + exit + ": " + err + out);
            }
            return this;
        }
    }

    /** Runs a command, waiting at most 30 s. */
    public static Result run(String... cmd) {
        ChildProcess.Result r = ChildProcess.run(new ProcessBuilder(cmd), null, java.time.Duration.ofSeconds(30));
        return new Result(r.exit(), r.out(), r.stderr());
    }

    /** {@code ip [-n NS] -j ARGS...} parsed as a list of objects. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> json(String netns, String... args) {
        return jsonOf("ip", netns, args);
    }

    /** {@code bridge [-n NS] -j ARGS...} (iproute2's bridge tool) parsed as a list of objects. */
    public static List<Map<String, Object>> bridgeJson(String netns, String... args) {
        return jsonOf("bridge", netns, args);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> jsonOf(String program, String netns, String... args) {
        List<String> cmd = new ArrayList<>(List.of(program));
        if (netns != null) {
            cmd.addAll(List.of("-n", netns));
        }
        cmd.add("-j");
        cmd.addAll(List.of(args));
        Result r = run(cmd.toArray(String[]::new)).ok();
        try {
            Object parsed = JSON.std.anyFrom(r.out().isBlank() ? "[]" : r.out());
            return (List<Map<String, Object>>) (List<?>) parsed;
        } catch (IOException e) {
            throw new AssertionError(program + " -j output did not parse: " + r.out(), e);
        }
    }

    /** The {@code ip -d link show DEV} object for one device. */
    public static Map<String, Object> link(String netns, String dev) {
        List<Map<String, Object>> l = json(netns, "-d", "link", "show", "dev", dev);
        if (l.isEmpty()) {
            throw new AssertionError("no link " + dev + " in " + netns);
        }
        return l.get(0);
    }

    /** {@code ping -c COUNT -W 2 ADDR} run inside {@code netns}; true if it got replies. */
    public static boolean ping(String netns, String addr, int count) {
        return run("ip", "netns", "exec", netns, "ping", "-c", Integer.toString(count), "-i", "0.2",
                "-W", "2", addr).exit() == 0;
    }
}
