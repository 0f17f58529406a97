package podnet.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import podnet.cni.runtime.CniRuntime;

/** The CLI in-process, as a test types it: {@code podnet.run("netns", "add", "x")}. */
final class Podnet {
    record Result(int exit, String out, String err) {
        Result ok() {
            if (exit != 0) {
                throw new AssertionError("exit " + exit + "\nstdout: " + out + "\nstderr: " + err);
            }
            return this;
        }

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> jsonList() {
            try {
                return (List<Map<String, Object>>) (List<?>) JSON.std.listFrom(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + out, e);
            }
        }

        Map<String, Object> jsonObject() {
            try {
                return JSON.std.mapFrom(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + out, e);
            }
        }
    }

    private final Map<String, String> env = new HashMap<>();
    private CniRuntime runtime;

    Podnet nodeNetns(String name) {
        env.put("PODNET_NODE_NETNS", name);
        return this;
    }

    Podnet stateDir(Path dir) {
        env.put("PODNET_STATE_DIR", dir.toString());
        return this;
    }

    /** One variable of the command's environment (e.g. PATH). */
    Podnet env(String name, String value) {
        env.put(name, value);
        return this;
    }

    Podnet runtime(CniRuntime r) {
        this.runtime = r;
        return this;
    }

    /** A command running on its own thread; its stderr can be read while it runs. */
    record Running(ByteArrayOutputStream err, java.util.concurrent.CompletableFuture<Result> result) {
        String errSoFar() {
            return err.toString(StandardCharsets.UTF_8);
        }

        /** Waits until stderr contains {@code text} (a command saying it is ready). */
        Running awaitErr(String text, long millis) throws InterruptedException {
            long until = System.currentTimeMillis() + millis;
            while (!errSoFar().contains(text)) {
                if (System.currentTimeMillis() > until || result.isDone()) {
                    throw new AssertionError("no \"" + text + "\" on stderr: " + errSoFar());
                }
                Thread.sleep(50);
            }
            return this;
        }
    }

    Running start(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        Cli cli = new Cli(o, e, env, runtime == null ? null : () -> runtime);
        var result = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            int rc = Main.run(cli, args);
            return new Result(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        });
        return new Running(err, result);
    }

    Result run(String... args) {
        return start(args).result().join();
    }
}
