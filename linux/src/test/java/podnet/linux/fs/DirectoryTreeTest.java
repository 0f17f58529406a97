package podnet.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryTreeTest {
    @TempDir
    Path tmp;

    @Test
    void deletesNestedContentsAndTheDirectory() throws Exception {
        Path root = tmp.resolve("state");
        Files.createDirectories(root.resolve("pods/a/ns"));
        Files.writeString(root.resolve("pods/a/pod.json"), "{}");
        Files.writeString(root.resolve("top"), "x");
        DirectoryTree.delete(root);
        assertThat(root).doesNotExist();
        assertThat(tmp).exists();
    }

    @Test
    void aMissingDirectoryIsFine() {
        DirectoryTree.delete(tmp.resolve("never-made"));
        DirectoryTree.deleteQuietly(tmp.resolve("never-made"));
        assertThat(tmp.resolve("never-made")).doesNotExist();
    }
}
