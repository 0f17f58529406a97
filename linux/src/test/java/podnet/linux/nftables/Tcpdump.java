package podnet.linux.nftables;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * tcpdump inside a test namespace, as the oracle of what really went over the wire: started
 * before the traffic, waited for until it listens, then its packet lines are read.
 */
final class Tcpdump implements AutoCloseable {
    private final Process process;

    private Tcpdump(Process process) {
        this.process = process;
    }

    /** Captures up to {@code count} packets matching {@code filter} on {@code dev} in {@code netns}. */
    static Tcpdump start(String netns, String dev, int count, String filter) throws IOException {
        Process p = new ProcessBuilder("ip", "netns", "exec", netns, "timeout", "15", "tcpdump", "-n", "-l",
                "-i", dev, "-c", Integer.toString(count), filter)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = err.readLine()) != null) {
            if (line.contains("listening on")) {
                return new Tcpdump(p);
            }
        }
        p.destroyForcibly();
        throw new IOException("tcpdump did not start in " + netns);
    }

    /** The captured packet lines, once tcpdump has its count (or gave up after 15 s). */
    List<String> packets() throws IOException, InterruptedException {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
