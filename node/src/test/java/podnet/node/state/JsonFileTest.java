package podnet.node.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonFileTest {
    @TempDir
    Path dir;

    @Test
    void writesPrettyJsonThatReadsBack() throws Exception {
        Path f = dir.resolve("ns/x.json");
        JsonFile.write(f, Map.of("name", "x", "labels", Map.of("team", "blue"), "ports", List.of(80)));
        assertThat(Files.readString(f)).contains("\n");
        assertThat(JSON.std.mapFrom(Files.readString(f))).containsEntry("name", "x").containsEntry("ports", List.of(80));
    }
}
