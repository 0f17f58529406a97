package podnet.node.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archives against tar(1) as the oracle: the OCI layout's files are there, the index
 * points at the manifest, the manifest at config and layer by digest, and the layers hold
 * what the images need.
 */
class OciArchiveTest {
    @TempDir
    Path dir;

    @Test
    void pauseArchiveIsAnOciLayout() throws Exception {
        Path archive = OciArchive.write(dir.resolve("pause.tar"), PodnetImages.PAUSE, PodnetImages.pauseLayer(),
                new ImageConfig(List.of("/pause"), List.of(), List.of(PodnetImages.PATH_ENV)));
        Path x = Files.createDirectories(dir.resolve("x"));
        assertThat(run("tar", "-xf", archive.toString(), "-C", x.toString())).isEqualTo(0);
        assertThat(Files.readString(x.resolve("oci-layout"))).contains("\"imageLayoutVersion\":\"1.0.0\"");

        Map<String, Object> index = JSON.std.mapFrom(Files.readString(x.resolve("index.json")));
        Map<String, Object> entry = first(index.get("manifests"));
        assertThat(entry.get("mediaType")).isEqualTo(OciArchive.MANIFEST_TYPE);
        assertThat(map(entry.get("annotations"))).containsEntry("io.containerd.image.name", PodnetImages.PAUSE)
                .containsEntry("org.opencontainers.image.ref.name", PodnetImages.VERSION);

        Map<String, Object> manifest = JSON.std.mapFrom(blob(x, (String) entry.get("digest")));
        Map<String, Object> config = JSON.std.mapFrom(blob(x, (String) map(manifest.get("config")).get("digest")));
        Map<String, Object> layer = first(manifest.get("layers"));
        assertThat(map(map(config.get("config"))).get("Entrypoint")).isEqualTo(List.of("/pause"));
        assertThat(map(config.get("rootfs")).get("diff_ids")).isEqualTo(List.of(layer.get("digest")));

        // Every blob's name is its digest.
        for (Path b : Files.list(x.resolve("blobs/sha256")).toList()) {
            assertThat(OciArchive.sha256(Files.readAllBytes(b))).isEqualTo(b.getFileName().toString());
        }
        Path layerTar = x.resolve("blobs/sha256/" + ((String) layer.get("digest")).substring(7));
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
        assertThat(run("tar", "-xf", layerTar.toString(), "-C", rootfs.toString())).isEqualTo(0);
        assertThat(Files.isExecutable(rootfs.resolve("pause"))).isTrue();
    }

    @Test
    void sameInputSameBytes() {
        byte[] layer = new TarArchive().file("a", 0644, "x".getBytes()).finish();
        ImageConfig c = new ImageConfig(List.of(), List.of("sh"), List.of());
        assertThat(OciArchive.build("localhost/a:1", layer, c)).isEqualTo(OciArchive.build("localhost/a:1", layer, c));
    }

    @Test
    void pauseStopsOnSigtermAndReapsChildren() throws Exception {
        Path pause = dir.resolve("pause");
        Files.write(pause, PodnetImages.pauseBinary());
        pause.toFile().setExecutable(true);
        Process p = new ProcessBuilder(pause.toString()).redirectErrorStream(true).start();
        Thread.sleep(100);
        assertThat(p.isAlive()).isTrue();
        p.destroy(); // SIGTERM
        assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(0);
    }

    @Test
    void busyboxLayerHasAppletLinks() throws Exception {
        assumeTrue(Files.isExecutable(PodnetImages.BUSYBOX_BINARY), "busybox-static is not installed");
        Path layer = Files.write(dir.resolve("layer.tar"), PodnetImages.busyboxLayer(PodnetImages.BUSYBOX_BINARY));
        Path rootfs = Files.createDirectories(dir.resolve("bb"));
        assertThat(run("tar", "-xf", layer.toString(), "-C", rootfs.toString())).isEqualTo(0);
        assertThat(Files.readSymbolicLink(rootfs.resolve("bin/sh")).toString()).isEqualTo("../bin/busybox");
        assertThat(Files.isSameFile(rootfs.resolve("usr/bin/wget"), rootfs.resolve("bin/busybox"))).isTrue();
        assertThat(Files.isSymbolicLink(rootfs.resolve("bin/ping"))).isTrue();
        assertThat(Files.isDirectory(rootfs.resolve("tmp"))).isTrue();
    }

    @Test
    void longNamesUseTheUstarPrefix() throws Exception {
        String name = "a/" + "b".repeat(90) + "/" + "c".repeat(60);
        Path t = Files.write(dir.resolve("long.tar"), new TarArchive().file(name, 0644, new byte[] {1}).finish());
        Process p = new ProcessBuilder("tar", "-tf", t.toString()).start();
        assertThat(new String(p.getInputStream().readAllBytes()).strip()).isEqualTo(name);
    }

    private static String blob(Path x, String digest) throws Exception {
        return Files.readString(x.resolve("blobs/sha256/" + digest.substring("sha256:".length())));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> first(Object list) {
        return (Map<String, Object>) ((List<Object>) list).get(0);
    }

    private static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        return p.waitFor();
    }
}
