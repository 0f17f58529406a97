package podnet.cni.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime copied beside the jars: whole, executable, and copied again only for another release. */
class HostRuntimeTest {
    @TempDir
    Path tmp;

    private Path fakeRuntime(String release) throws Exception {
        Path home = tmp.resolve("jdk-" + release);
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("lib"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + release + "\"\n");
        Files.writeString(home.resolve("lib/modules"), "modules of " + release);
        Path java = Files.writeString(home.resolve("bin/java"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    @Test
    void copiesOnceAndAgainForAnotherRelease() throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("bin/podnet-lib/0123456789abcdef"));
        Path java = HostRuntime.copy(fakeRuntime("25.0.1"), lib);
        assertThat(java).isEqualTo(lib.resolve("runtime/bin/java")).isExecutable();
        assertThat(lib.resolve("runtime/lib/modules")).hasContent("modules of 25.0.1");
        Files.writeString(lib.resolve("runtime/marker"), "kept");
        HostRuntime.copy(fakeRuntime("25.0.1"), lib);
        assertThat(lib.resolve("runtime/marker")).exists(); // same release: left as it is
        HostRuntime.copy(fakeRuntime("25.0.2"), lib);
        assertThat(lib.resolve("runtime/marker")).doesNotExist();
        assertThat(lib.resolve("runtime/lib/modules")).hasContent("modules of 25.0.2");
        assertThat(lib.resolve(".runtime.tmp")).doesNotExist();
    }

    @Test
    void aSelfContainedInstallFromClassDirectoriesIsRefusedBeforeAnythingIsWritten() throws Exception {
        // `mvn test` runs this module from target/classes: no jars to copy beside a runtime.
        org.junit.jupiter.api.Assumptions.assumeTrue(
                podnet.cni.build.PluginClasspath.of().stream().anyMatch(Files::isDirectory), "run from jars");
        Path bin = tmp.resolve("opt-cni-bin");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Installer.install(bin, tmp.resolve("net.d"),
                NodeConflist.DEFAULT, false, AutoStart.DEFAULT, true, System.err))
                .hasMessageContaining("needs the plugin jars");
        assertThat(bin).doesNotExist();
        assertThat(tmp.resolve("net.d")).doesNotExist();
    }
}
