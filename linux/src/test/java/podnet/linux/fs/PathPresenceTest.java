package podnet.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PathPresence against Files.exists(NOFOLLOW_LINKS), the answer it replaces. */
class PathPresenceTest {
    @TempDir
    Path dir;

    @Test
    void answersAsFilesExistsWithoutFollowingLinks() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nothing"));
        Path missing = dir.resolve("missing");
        Path under = dir.resolve("f").resolve("under");
        for (Path p : new Path[] {file, dir, dangling, missing, under}) {
            assertThat(PathPresence.exists(p)).as(p.toString()).isEqualTo(Files.exists(p, LinkOption.NOFOLLOW_LINKS));
        }
        assertThat(PathPresence.exists(dangling)).isTrue();
        assertThat(PathPresence.exists(missing)).isFalse();
    }
}
