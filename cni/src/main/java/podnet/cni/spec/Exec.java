package podnet.cni.spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    public static Output run(Path binary, Map<String, String> env, byte[] stdin) {
        ProcessBuilder pb = new ProcessBuilder(binary.toString());
        pb.environment().clear();
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            byte[][] err = new byte[1][];
            Thread errReader = Thread.ofPlatform().start(() -> {
                try (InputStream es = p.getErrorStream()) {
                    err[0] = es.readAllBytes();
                } catch (IOException e) {
                    err[0] = new byte[0];
                }
            });
            try (OutputStream os = p.getOutputStream()) {
                os.write(stdin);
            } catch (IOException ignored) {
                // the plugin may exit without reading stdin (VERSION)
            }
            byte[] out;
            try (InputStream is = p.getInputStream()) {
                out = is.readAllBytes();
            }
            int rc = p.waitFor();
            errReader.join();
            return new Output(rc, out, new String(err[0] == null ? new byte[0] : err[0], StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CniError(CniError.IO_FAILURE, "cannot run " + binary + ": " + e.getMessage(), null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CniError(CniError.TRY_AGAIN_LATER, "interrupted while running " + binary);
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
