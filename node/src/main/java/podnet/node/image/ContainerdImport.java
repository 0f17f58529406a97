package podnet.node.image;

import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import podnet.cri.CriClient;
import podnet.cri.CriException;
import podnet.cri.containerd.ContainerdClient;
import podnet.cri.containerd.api.types.Descriptor;

/**
 * Puts OCI images into containerd through its own API, as {@code ctr images import} does:
 * under a fresh lease (so the collector leaves the blobs alone until the image holds them),
 * each layer and config into the content store, then the manifest with the labels that tie
 * config and layers to it for the collector ({@value #GC_CONFIG}, {@value #GC_LAYER}N), then
 * the image name pointing at the manifest; the lease is deleted at the end. Nothing is
 * unpacked: containerd's CRI unpacks an image for its snapshotter the first time it makes a
 * container of it. Blobs containerd has already are not sent again.
 */
public final class ContainerdImport {
    private ContainerdImport() {}

    public static final String GC_CONFIG = "containerd.io/gc.ref.content.config";
    public static final String GC_LAYER = "containerd.io/gc.ref.content.l.";
    /** Long enough for any import; a lease left by a killed import goes away by itself after it. */
    static final Duration LEASE_EXPIRY = Duration.ofHours(1);

    /** One imported image: its name, manifest digest, bytes, and how many blobs were written (not there yet). */
    public record Imported(String ref, String digest, long bytes, int blobsWritten) {}

    public static List<Imported> run(ContainerdClient containerd, List<OciImage> images) {
        String lease = "podnet-import-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        containerd.createLease(lease, LEASE_EXPIRY);
        List<Imported> out = new ArrayList<>();
        try (ContainerdClient leased = containerd.leased(lease)) {
            for (OciImage image : images) {
                out.add(importOne(leased, image));
            }
        } finally {
            try {
                containerd.deleteLease(lease, false);
            } catch (CriException e) {
                // It expires by itself; the images hold their blobs already.
            }
        }
        return out;
    }

    /** The manifest's labels that make config and layers reachable from it for containerd's collector. */
    static Map<String, String> gcLabels(OciImage image) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(GC_CONFIG, image.config().digest());
        for (int i = 0; i < image.layers().size(); i++) {
            labels.put(GC_LAYER + i, image.layers().get(i).digest());
        }
        return labels;
    }

    private static Imported importOne(ContainerdClient c, OciImage image) {
        int written = 0;
        for (OciImage.Blob b : image.blobs()) {
            if (b != image.manifest() && put(c, b, Map.of())) {
                written++;
            }
        }
        Map<String, String> labels = gcLabels(image);
        if (put(c, image.manifest(), labels)) {
            written++;
        } else {
            c.setLabels(image.manifest().digest(), labels); // an older import's manifest: make sure
        }
        c.putImage(image.ref(), Descriptor.newBuilder().setMediaType(image.manifest().mediaType())
                .setDigest(image.manifest().digest()).setSize(image.manifest().size()).build());
        return new Imported(image.ref(), image.manifest().digest(), image.size(), written);
    }

    /** Writes one blob (true) or finds it there (false); a failed write leaves no ingest behind. */
    private static boolean put(ContainerdClient c, OciImage.Blob b, Map<String, String> labels) {
        String ref = "podnet-import-" + b.digest();
        try {
            return c.write(ref, b.digest(), b.bytes(), labels);
        } catch (CriException e) {
            try {
                if (c.ingest(ref).isPresent()) {
                    c.abort(ref);
                }
            } catch (CriException ignored) {
                // the lease's end collects it
            }
            throw e;
        }
    }

    /**
     * Waits until containerd's CRI plugin lists each of {@code refs} (it learns of new images
     * from containerd's events, a moment after they are created). False when the runtime has no
     * CRI plugin; an exception when {@code timeout} passes first.
     */
    public static boolean awaitCri(CriClient cri, List<String> refs, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String ref : refs) {
            while (true) {
                try {
                    if (cri.imageStatus(ref).isPresent()) {
                        break;
                    }
                } catch (CriException e) {
                    if (e.code() == Status.Code.UNIMPLEMENTED) {
                        return false;
                    }
                    throw e;
                }
                if (System.nanoTime() > deadline) {
                    throw new ImageException("containerd has " + ref + " but its CRI plugin does not list it after "
                            + timeout.toSeconds() + " s", "see containerd's log; `ctr -n k8s.io images ls` shows the store");
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ImageException("interrupted while waiting for CRI to list " + ref, "run the import again");
                }
            }
        }
        return true;
    }
}
