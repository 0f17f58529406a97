package podnet.linux.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import podnet.linux.testing.ChildProcess;

/**
 * StopSignals in a child JVM started the way a script starts a background job: SIGINT ignored.
 * Both SIGINT and SIGTERM reach the handler, and the program exits with its own code.
 */
class StopSignalsTest {
    /** The child: waits for a stop signal, prints which, exits 0. */
    public static void main(String[] args) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        StopSignals.install(stop::countDown);
        System.out.println("ready");
        System.out.flush();
        if (stop.await(20, TimeUnit.SECONDS)) {
            System.out.println("stopped cleanly");
            System.exit(0);
        }
        System.exit(7);
    }

    @Test
    void sigintAndSigtermStopAProgramStartedWithSigintIgnored() throws Exception {
        for (String sig : List.of("INT", "TERM")) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String cp = System.getProperty("java.class.path");
            // `trap '' INT` then exec: the JVM inherits SIGINT ignored, like `cmd &` in a script
            ProcessBuilder pb = new ProcessBuilder("sh", "-c", "trap '' INT; exec \"$0\" --enable-native-access=ALL-UNNAMED -cp \"$1\" "
                    + StopSignalsTest.class.getName(), java, cp);
            Process p = pb.start();
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
            assertThat(out.readLine()).isEqualTo("ready");
            new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start().waitFor();
            long t0 = System.nanoTime();
            ChildProcess.Result r = ChildProcess.finish(p, null, Duration.ofSeconds(10));
            assertThat(r.exit()).as("SIG" + sig).isZero();
            assertThat(r.out()).contains("stopped cleanly");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
        }
    }
}
