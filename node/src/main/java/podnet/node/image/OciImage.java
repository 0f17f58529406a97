package podnet.node.image;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One single-layer linux/amd64 OCI image as content-addressed blobs: the manifest, the config
 * it names and the layer (an uncompressed tar, so its digest is also its diff id). What an
 * archive holds ({@link OciArchive}) and what an importer writes into containerd
 * ({@link ContainerdImport}) are these same bytes.
 */
public record OciImage(String ref, Blob manifest, Blob config, List<Blob> layers) {
    public OciImage {
        layers = List.copyOf(layers);
    }

    /** A blob with its digest ({@code sha256:…}) and media type. */
    public record Blob(String digest, String mediaType, byte[] bytes) {
        static Blob of(String mediaType, byte[] bytes) {
            return new Blob("sha256:" + OciArchive.sha256(bytes), mediaType, bytes);
        }

        public long size() {
            return bytes.length;
        }

        Map<String, Object> descriptor() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("mediaType", mediaType);
            d.put("digest", digest);
            d.put("size", bytes.length);
            return d;
        }
    }

    /** The image {@code ref} (e.g. localhost/podnet/pause:0.1.0) of one layer and a config. */
    public static OciImage of(String ref, byte[] layerTar, ImageConfig config) {
        Blob layer = Blob.of(OciArchive.LAYER_TYPE, layerTar);
        Blob cfg = Blob.of(OciArchive.CONFIG_TYPE, OciArchive.json(OciArchive.configJson(layer, config)));
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OciArchive.MANIFEST_TYPE);
        manifest.put("config", cfg.descriptor());
        manifest.put("layers", List.of(layer.descriptor()));
        return new OciImage(ref, Blob.of(OciArchive.MANIFEST_TYPE, OciArchive.json(manifest)), cfg, List.of(layer));
    }

    /** Every blob, the ones referenced first and the manifest last (the order an importer writes them). */
    public List<Blob> blobs() {
        List<Blob> all = new java.util.ArrayList<>(layers);
        all.add(config);
        all.add(manifest);
        return all;
    }

    /** The bytes of all blobs. */
    public long size() {
        return blobs().stream().mapToLong(Blob::size).sum();
    }
}
