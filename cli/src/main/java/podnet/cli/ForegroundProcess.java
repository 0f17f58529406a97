package podnet.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Function;

/**
 * Runs a foreground command for {@code netns exec} / {@code pod exec}: stdin inherited; stdout
 * and stderr inherited from a real terminal, or copied into the CLI's streams when those are
 * someone else's (tests). Returns the command's exit code.
 */
final class ForegroundProcess {
    private ForegroundProcess() {}

    static int run(Cli cli, List<String> command, Function<ProcessBuilder, Process> starter) {
        if (command.isEmpty()) {
            throw new CliException("no command given", "put the command after --, e.g. `-- ip addr`");
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT);
        boolean inherit = cli.streamsAreSystem();
        if (inherit) {
            pb.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        Process p;
        try {
            p = starter.apply(pb);
        } catch (UncheckedIOException e) {
            throw new CliException("cannot run " + command.get(0) + ": " + e.getCause().getMessage(),
                    "check the program exists and is executable");
        }
        Thread copyErr = null;
        if (!inherit) {
            copyErr = Thread.ofPlatform().start(() -> copy(p.getErrorStream(), cli.err));
            copy(p.getInputStream(), cli.out);
        }
        try {
            int rc = p.waitFor();
            if (copyErr != null) {
                copyErr.join();
            }
            return rc;
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private static void copy(InputStream in, OutputStream out) {
        try (in) {
            in.transferTo(out);
            out.flush();
        } catch (IOException ignored) {
            // the process went away; its exit code tells the story
        }
    }
}
