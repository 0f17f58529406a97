package podnet.engines;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the engines' command-line tools (test peers, never product code). */
public final class Cmd {
    private Cmd() {}

    public record Result(List<String> cmd, int exit, String out, String err) {
        public Result ok() {
            if (exit != 0) {
                throw new AssertionError(String.join(" ", cmd) + " → exit " + exit + "\n" + err + out);
            }
            return this;
        }
    }

    /** Runs {@code cmd} to completion (killed after {@code timeout}), capturing its output. */
    public static Result run(Duration timeout, Map<String, String> env, List<String> cmd) {
        Process p = start(builder(env, cmd));
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", cmd));
            }
            return new Result(cmd, p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new AssertionError(e);
        }
    }

    public static Result run(String... cmd) {
        return run(Duration.ofSeconds(30), Map.of(), List.of(cmd));
    }

    /** Starts {@code cmd} in the background, stdout and stderr appended to {@code log}. */
    public static Process spawn(Path log, Map<String, String> env, List<String> cmd) {
        ProcessBuilder pb = builder(env, cmd);
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        return start(pb);
    }

    private static ProcessBuilder builder(Map<String, String> env, List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        return pb;
    }

    private static Process start(ProcessBuilder pb) {
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + pb.command(), e);
        }
    }

    /**
     * Reads a stream to its end on a thread of its own: on the common pool (one worker on a
     * 2-core machine) stderr would wait for stdout to close, and a child filling stderr would hang.
     */
    private static CompletableFuture<String> drain(java.io.InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }, r -> Thread.ofPlatform().daemon().name("cmd-drain").start(r));
    }
}
