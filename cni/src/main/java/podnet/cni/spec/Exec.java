package podnet.cni.spec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a plugin executable the way a runtime does: CNI env, config on stdin, result or error
 * JSON on stdout. The child is started from the calling thread, so it is born in that
 * thread's network namespace.
 */
public final class Exec {
    private Exec() {}

    public record Output(int exitCode, byte[] stdout, String stderr) {}

    public static Optional<Path> find(String type, List<Path> dirs) {
        if (type == null || type.isEmpty() || type.contains("/") || type.equals(".") || type.equals("..")) {
            return Optional.empty();
        }
        for (Path d : dirs) {
            Path p = d.resolve(type);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    public static Path require(String type, List<Path> dirs) {
        return find(type, dirs).orElseThrow(() -> new CniError(CniError.INVALID_CONFIG,
                "failed to find plugin \"" + type + "\" in path " + dirs));
    }

    /** How long a delegated or chained plugin may take before it is killed. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** What is kept of a plugin's stderr, for the error message. */
    private static final int MAX_STDERR = 64 << 10;

    public static Output run(Path binary, Map<String, String> env, byte[] stdin) {
        return run(binary, env, stdin, TIMEOUT);
    }

    /**
     * Runs {@code binary}; stdin is written and stdout/stderr are read on their own threads, so
     * a plugin that does not read, or writes without end, still ends at {@code timeout} (killed,
     * with whatever it started). Stdout beyond {@link Limits#MAX_STDIN} is an error.
     */
    public static Output run(Path binary, Map<String, String> env, byte[] stdin, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(binary.toString());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new CniError(CniError.IO_FAILURE, "cannot run " + binary + ": " + e.getMessage(), null, e);
        }
        Drain out = Drain.start(p.getInputStream(), Limits.MAX_STDIN);
        Drain err = Drain.start(p.getErrorStream(), MAX_STDERR);
        Thread writer = Thread.ofPlatform().daemon().name("exec-stdin").start(() -> {
            try (OutputStream os = p.getOutputStream()) {
                os.write(stdin);
            } catch (IOException ignored) {
                // the plugin may exit without reading stdin (VERSION)
            }
        });
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new CniError(CniError.INTERNAL, binary + " did not finish within " + timeout.toSeconds()
                        + " s and was killed");
            }
            writer.join(1000);
            byte[] stdout = out.await();
            if (out.overflowed()) {
                throw CniError.decode(binary.getFileName() + " wrote more than " + Limits.MAX_STDIN + " bytes to stdout");
            }
            return new Output(p.exitValue(), stdout, new String(err.await(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CniError(CniError.TRY_AGAIN_LATER, "interrupted while running " + binary);
        }
    }

    /** Reads a stream to its end on a thread of its own, keeping at most {@code limit} bytes. */
    private static final class Drain {
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final int limit;
        private volatile boolean overflowed;
        private Thread thread;

        private Drain(int limit) {
            this.limit = limit;
        }

        static Drain start(InputStream in, int limit) {
            Drain d = new Drain(limit);
            d.thread = Thread.ofPlatform().daemon().name("exec-output").start(() -> d.read(in));
            return d;
        }

        private void read(InputStream in) {
            byte[] buf = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    int keep = Math.min(n, limit - kept.size());
                    if (keep > 0) {
                        kept.write(buf, 0, keep);
                    }
                    overflowed |= keep < n; // go on reading: a blocked writer would never exit
                }
            } catch (IOException ignored) {
                // the process is gone; what we have is what it said
            }
        }

        /** What was read; a grandchild that still holds the pipe gets 2 s more, then is ignored. */
        byte[] await() throws InterruptedException {
            thread.join(2000);
            synchronized (this) {
                return kept.toByteArray();
            }
        }

        boolean overflowed() {
            return overflowed;
        }
    }

    /** Runs and turns a failure into the plugin's own CniError; returns stdout on success. */
    public static byte[] call(Path binary, Map<String, String> env, byte[] stdin) {
        Output o = run(binary, env, stdin);
        if (o.exitCode() == 0) {
            return o.stdout();
        }
        int code = CniError.INTERNAL;
        String msg = binary.getFileName() + " failed with exit " + o.exitCode();
        String details = null;
        try {
            Map<String, Object> m = Json.parseObject(o.stdout(), binary.getFileName() + " error");
            code = Json.integer(m, "code", CniError.INTERNAL);
            msg = Json.str(m, "msg", msg);
            details = Json.str(m, "details", null);
        } catch (CniError e) {
            if (!o.stderr().isBlank()) {
                msg += ": " + o.stderr().strip();
            }
        }
        throw new CniError(code, msg, details, null);
    }
}
