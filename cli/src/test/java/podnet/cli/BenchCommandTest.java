package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench cni} and {@code bench churn} share their sides' options (one mixin) and their checks. */
class BenchCommandTest {
    Podnet podnet = new Podnet();

    @Test
    void bothBenchesTakeTheSameSides() {
        for (String bench : new String[] {"cni", "churn"}) {
            String help = podnet.run("bench", bench, "--help").ok().out();
            assertThat(help).as(bench).contains("--ours=").contains("--reference=").contains("default: /usr/lib/cni")
                    .contains("--cni-version=");
        }
    }

    @Test
    void aDirectoryWithoutPluginsIsRefusedBeforeAnythingRuns(@TempDir Path empty) throws Exception {
        Path ref = Files.createDirectories(empty.resolve("ref"));
        for (String bench : new String[] {"cni", "churn"}) {
            Podnet.Result r = podnet.run("bench", bench, "--ours", empty.toString(), "--reference", ref.toString());
            assertThat(r.exit()).as(bench).isNotZero();
            assertThat(r.err()).as(bench).contains("podnet: " + empty + " has no bridge and host-local executables");
        }
    }

    @Test
    void oursIsRequired() {
        Podnet.Result r = podnet.run("bench", "churn");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("--ours");
    }
}
