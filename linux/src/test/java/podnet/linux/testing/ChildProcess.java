package podnet.linux.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A child process driven to its end the way tests need it: stdin written, stdout and stderr
 * read at the same time on threads of their own (a child that fills one pipe while we wait on
 * the other never deadlocks), and a timeout that fires even while output is still open, after
 * which the child and everything it started are killed.
 */
public final class ChildProcess {
    private ChildProcess() {}

    public record Result(int exit, byte[] stdout, String stderr) {
        public String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    /** Starts {@code pb} and finishes it; a timeout is an AssertionError. */
    public static Result run(ProcessBuilder pb, byte[] stdin, Duration timeout) {
        try {
            return finish(pb.start(), stdin, timeout);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + pb.command(), e);
        }
    }

    /** Feeds {@code stdin} (null: closes it) and waits at most {@code timeout}; a timeout is an AssertionError. */
    public static Result finish(Process p, byte[] stdin, Duration timeout) {
        Reader out = Reader.start(p.getInputStream());
        Reader err = Reader.start(p.getErrorStream());
        Thread writer = Thread.ofPlatform().daemon().start(() -> {
            try (OutputStream os = p.getOutputStream()) {
                if (stdin != null) {
                    os.write(stdin);
                }
            } catch (IOException ignored) {
                // the child exited without reading everything: its exit code tells
            }
        });
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("timed out after " + timeout + ": " + p.info().commandLine().orElse("?")
                        + "\nstdout so far: " + new String(out.bytes(), StandardCharsets.UTF_8)
                        + "\nstderr so far: " + new String(err.bytes(), StandardCharsets.UTF_8));
            }
            writer.join(5000);
            return new Result(p.exitValue(), out.await(), new String(err.await(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static final class Reader {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private Thread thread;

        static Reader start(InputStream in) {
            Reader r = new Reader();
            r.thread = Thread.ofPlatform().daemon().start(() -> {
                byte[] chunk = new byte[8192];
                try (in) {
                    for (int n; (n = in.read(chunk)) > 0; ) {
                        r.buf.write(chunk, 0, n);
                    }
                } catch (IOException ignored) {
                    // closed: the child is gone
                }
            });
            return r;
        }

        /** The output; a grandchild that keeps the pipe open gets 5 s, then what we have is it. */
        byte[] await() throws InterruptedException {
            thread.join(5000);
            return buf.toByteArray();
        }

        byte[] bytes() {
            return buf.toByteArray();
        }
    }
}
