package podnet.linux.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchPathTest {
    @TempDir
    Path dir;

    @Test
    void findsTheFirstExecutableOnThePathAndNothingElse() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a")), b = Files.createDirectories(dir.resolve("b"));
        Files.writeString(a.resolve("tool"), "not executable");
        Path tool = Files.writeString(b.resolve("tool"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(a.resolve("dir-not-a-program"));
        String path = a + ":" + b;
        assertThat(SearchPath.find("tool", path)).contains(tool);
        assertThat(SearchPath.find("missing", path)).isEmpty();
        assertThat(SearchPath.find("dir-not-a-program", path)).isEmpty();
        assertThat(SearchPath.find(tool.toString(), "/nowhere")).contains(tool);
        assertThat(SearchPath.find("sh", null)).isPresent(); // the default PATH when none is set
    }
}
