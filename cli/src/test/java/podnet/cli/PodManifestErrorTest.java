package podnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pod run -f} with a broken manifest: the error names line and column, nothing is made. */
class PodManifestErrorTest {
    @TempDir
    Path state;

    @Test
    void aYamlErrorNamesLineAndColumnAndChangesNothing() throws Exception {
        Path manifest = state.resolve("pod.yaml");
        Files.writeString(manifest, "metadata:\n  name: web\nspec:\n  containers:\n  - name: a\n    command: [sleep, 1\n");
        // A node netns that does not exist: had the command gone on, it could not touch anything.
        Podnet podnet = new Podnet().nodeNetns("arch-node-no-such-node").stateDir(state);
        Podnet.Result r = podnet.run("pod", "run", "-f", manifest.toString());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).startsWith("podnet: manifest line 7, column 1: expected ',' or ']'")
                .contains("from line 6, column 14").contains("podnet: hint: ");
        assertThat(state.resolve("pods")).doesNotExist();
    }
}
