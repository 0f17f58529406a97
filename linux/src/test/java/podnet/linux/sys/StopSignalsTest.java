package podnet.linux.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A JVM started with SIGINT ignored (as a background job of a script is) still stops on SIGINT, running its hooks. */
class StopSignalsTest {
    /** The child: restores SIGINT, says so, and waits; its shutdown hook writes a file. */
    public static void main(String[] args) throws Exception {
        boolean wasIgnored = StopSignals.interruptIgnored();
        StopSignals.restoreInterrupt();
        Path marker = Path.of(args[0]);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.writeString(marker, "hook ran");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }));
        System.out.println("ready ignored=" + wasIgnored + " now=" + StopSignals.interruptIgnored());
        System.out.flush();
        Thread.sleep(60_000);
    }

    @Test
    void sigintStopsAJvmThatInheritedItIgnored() throws Exception {
        Path marker = Files.createTempFile("podnet-stopsignals", ".txt");
        Files.delete(marker);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // sh -c 'trap "" INT; exec java …': the JVM starts with SIGINT at SIG_IGN.
        Process p = new ProcessBuilder("sh", "-c", "trap '' INT; exec \"$0\" \"$@\"", java,
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                StopSignalsTest.class.getName(), marker.toString()).redirectErrorStream(true).start();
        try {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
            assertThat(line).isEqualTo("ready ignored=true now=false");
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(130);
            assertThat(Files.readString(marker)).isEqualTo("hook ran");
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(marker);
        }
    }
}
