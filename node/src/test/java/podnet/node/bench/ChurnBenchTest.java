package podnet.node.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import podnet.linux.ns.NamedNetns;
import podnet.linux.testing.Root;

/** A tiny churn with the reference plugins on both sides: the bench runs, counts and cleans up. */
class ChurnBenchTest {
    static final Path REFERENCE = Path.of("/usr/lib/cni");

    @Test
    void smallChurnOfTwoSetsLeavesNothingBehind() {
        Root.assume();
        assumeTrue(Files.isExecutable(REFERENCE.resolve("bridge")), "no reference plugins in " + REFERENCE);
        List<PluginSet> sets = List.of(new PluginSet("a", REFERENCE), new PluginSet("b", REFERENCE));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        List<ChurnBench.Result> results = new ChurnBench(new ChurnBench.Options(sets, 4, 2, 2, List.of(false), "1.0.0"),
                new PrintStream(log, true, StandardCharsets.UTF_8)).run();

        assertThat(results).hasSize(2);
        for (ChurnBench.Result r : results) {
            assertThat(r.clean()).as(r.toString()).isTrue();
            assertThat(r.podsPerSecond()).hasSize(2).allMatch(x -> x > 0);
            assertThat(r.add().millis()).hasSize(8);
            assertThat(r.del().millis()).hasSize(8);
        }
        // A B A B: the rounds take turns.
        assertThat(log.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("churn:")).map(l -> l.split(",")[0]))
                .containsExactly("churn: a", "churn: b", "churn: a", "churn: b");
        assertThat(NamedNetns.list()).noneMatch(n -> n.startsWith("pnc-" + Long.toHexString(ProcessHandle.current().pid())));

        ByteArrayOutputStream table = new ByteArrayOutputStream();
        ChurnBench.print(results, sets, new PrintStream(table, true, StandardCharsets.UTF_8));
        assertThat(table.toString(StandardCharsets.UTF_8)).contains("pods/s").contains("ipMasq off a/b: pods/s");
    }
}
