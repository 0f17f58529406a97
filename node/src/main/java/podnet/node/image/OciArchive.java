package podnet.node.image;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An OCI image layout in one tar file ({@code oci-layout}, {@code index.json},
 * {@code blobs/sha256/…}) holding one single-layer linux/amd64 image, the form
 * {@code ctr images import} reads. The layer is an uncompressed tar, so its digest is also
 * its diff id. The index names the image twice: {@code io.containerd.image.name} (the full
 * reference containerd's importer uses) and {@code org.opencontainers.image.ref.name} (the tag).
 */
public final class OciArchive {
    public static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
    public static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
    public static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar";
    public static final String INDEX_TYPE = "application/vnd.oci.image.index.v1+json";

    private OciArchive() {}

    /** The archive's bytes for image {@code ref} (e.g. localhost/podnet/pause:0.1.0). */
    public static byte[] build(String ref, byte[] layerTar, ImageConfig config) {
        return build(OciImage.of(ref, layerTar, config));
    }

    /** The archive's bytes for {@code image}. */
    public static byte[] build(OciImage image) {
        Map<String, Object> entry = image.manifest().descriptor();
        entry.put("annotations", Map.of("io.containerd.image.name", image.ref(),
                "org.opencontainers.image.ref.name", tag(image.ref())));
        entry.put("platform", platform());
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", INDEX_TYPE);
        index.put("manifests", List.of(entry));

        TarArchive tar = new TarArchive()
                .file("oci-layout", 0644, json(Map.of("imageLayoutVersion", "1.0.0")))
                .file("index.json", 0644, json(index))
                .dir("blobs", 0755)
                .dir("blobs/sha256", 0755);
        for (OciImage.Blob b : image.blobs()) {
            tar.file("blobs/sha256/" + b.digest().substring("sha256:".length()), 0644, b.bytes());
        }
        return tar.finish();
    }

    /** Writes the archive atomically to {@code file}. */
    public static Path write(Path file, String ref, byte[] layerTar, ImageConfig config) {
        return write(file, OciImage.of(ref, layerTar, config));
    }

    /** Writes the archive of {@code image} atomically to {@code file}. */
    public static Path write(Path file, OciImage image) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
            try {
                Files.write(tmp, build(image));
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static String tag(String ref) {
        int slash = ref.lastIndexOf('/');
        int colon = ref.lastIndexOf(':');
        return colon > slash ? ref.substring(colon + 1) : "latest";
    }

    private static Map<String, Object> platform() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("architecture", "amd64");
        p.put("os", "linux");
        return p;
    }

    static Map<String, Object> configJson(OciImage.Blob layer, ImageConfig config) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("Env", config.env());
        if (!config.entrypoint().isEmpty()) {
            c.put("Entrypoint", config.entrypoint());
        }
        if (!config.cmd().isEmpty()) {
            c.put("Cmd", config.cmd());
        }
        c.put("WorkingDir", "/");
        Map<String, Object> m = platform();
        m.put("created", java.time.Instant.ofEpochSecond(TarArchive.MTIME).toString());
        m.put("config", c);
        m.put("rootfs", Map.of("type", "layers", "diff_ids", List.of(layer.digest())));
        m.put("history", List.of(Map.of("created_by", "podnet image build")));
        return m;
    }

    static byte[] json(Object o) {
        try {
            return JSON.std.asString(o).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
