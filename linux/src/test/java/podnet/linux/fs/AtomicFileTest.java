package podnet.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
    @TempDir
    Path dir;

    @Test
    void replacesTheFileAndLeavesNoTempBehind() throws Exception {
        Path f = dir.resolve("sub/state.json");
        AtomicFile.write(f, "one");
        Object inode = Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        AtomicFile.write(f, "two");
        assertThat(Files.readString(f)).isEqualTo("two");
        assertThat(Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class).fileKey())
                .as("a new file renamed over the old one, not the old one rewritten").isNotEqualTo(inode);
        try (var s = Files.list(f.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("state.json");
        }
    }

    @Test
    void aFailedWriteNamesTheFileAndKeepsTheOldContent() throws Exception {
        Path f = dir.resolve("state.json");
        AtomicFile.write(f, "old");
        Files.createDirectory(dir.resolve("adir"));
        assertThatThrownBy(() -> AtomicFile.write(dir.resolve("adir"), "x")).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("adir");
        assertThat(Files.readString(f)).isEqualTo("old");
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("state.json", "adir");
        }
    }
}
