package podnet.linux.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A JVM started in the background of a non-interactive shell inherits SIGINT as ignored; with
 * {@link StopSignals} it still stops cleanly on SIGINT, and on SIGTERM.
 */
class StopSignalsTest {
    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void backgroundedJvmStopsOnSignal(String signal) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "'" + java + "' --enable-native-access=ALL-UNNAMED -Xshare:auto -cp '"
                + System.getProperty("java.class.path") + "' podnet.linux.sys.StopSignalsChild & echo pid=$!; wait $!; echo rc=$?";
        Process sh = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        long child = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(sh.getInputStream(), StandardCharsets.UTF_8))) {
            String pid = out.readLine();
            assertThat(pid).startsWith("pid=");
            child = Long.parseLong(pid.substring(4));
            assertThat(out.readLine()).isEqualTo("ready sigint-ignored=true");
            Process kill = new ProcessBuilder("kill", "-" + signal, pid.substring(4)).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(out.readLine()).isEqualTo("stopped cleanly");
            assertThat(out.readLine()).isEqualTo("rc=0");
        } finally {
            ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly); // only if the test failed
            sh.destroyForcibly();
            sh.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
