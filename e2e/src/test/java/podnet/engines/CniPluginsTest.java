package podnet.engines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CniPluginsTest {
    @TempDir
    Path tmp;

    private Path pluginDir(String name, String... plugins) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        for (String p : plugins) {
            Files.writeString(dir.resolve(p), "#!/bin/sh\n");
            Files.setPosixFilePermissions(dir.resolve(p), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return dir;
    }

    @Test
    void referenceOnlyWithoutTheProperty() throws Exception {
        Path ref = pluginDir("ref", "bridge", "host-local", "portmap", "loopback");
        assertThat(CniPlugins.sets(null, ref)).containsExactly(new CniPlugins("reference", ref));
    }

    @Test
    void podnetJoinsWhenThePropertyNamesACompleteDirectory() throws Exception {
        Path ref = pluginDir("ref", "bridge", "host-local", "portmap", "loopback");
        Path ours = pluginDir("ours", "bridge", "host-local", "portmap", "loopback");
        assertThat(CniPlugins.sets(ours.toString(), ref)).extracting(CniPlugins::label)
                .containsExactly("reference", "podnet");
    }

    @Test
    void anIncompletePodnetDirectoryIsAnErrorNotASkip() throws Exception {
        Path ref = pluginDir("ref", "bridge", "host-local", "portmap", "loopback");
        Path ours = pluginDir("ours", "bridge");
        assertThatThrownBy(() -> CniPlugins.sets(ours.toString(), ref))
                .hasMessageContaining("host-local").hasMessageContaining("loopback");
    }

    @Test
    void aMissingReferenceIsLeftOut() throws Exception {
        assertThat(CniPlugins.sets(null, tmp.resolve("absent"))).isEmpty();
    }

    @Test
    void noneLeavesPodnetOut() {
        String before = System.getProperty(CniPlugins.PROPERTY);
        System.setProperty(CniPlugins.PROPERTY, "none");
        try {
            assertThat(CniPlugins.available()).extracting(CniPlugins::label).doesNotContain("podnet");
        } finally {
            if (before == null) {
                System.clearProperty(CniPlugins.PROPERTY);
            } else {
                System.setProperty(CniPlugins.PROPERTY, before);
            }
        }
    }
}
