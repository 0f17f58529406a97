package podnet.engines;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import podnet.cri.containerd.ContainerdClient;
import podnet.node.cri.CriPodOptions;
import podnet.node.cri.CriPods;
import podnet.node.image.ContainerdImport;
import podnet.node.image.OciImage;
import podnet.node.image.PodnetImages;
import podnet.node.pod.PodSpec;

/**
 * {@code podnet image import}'s path ({@link ContainerdImport}) into an empty private
 * containerd, with ctr as the oracle: both images are in namespace k8s.io with their manifest
 * digests, the manifest carries the collector's labels to config and layer, no lease is left,
 * a forced garbage collection keeps every blob, a second import writes nothing; nothing was
 * unpacked, and yet CRI lists both and runs a pod on them (sandbox_image = podnet's pause):
 * containerd's CRI unpacks for its snapshotter on first use.
 */
class ImageImportTest {
    @TempDir
    Path work;

    @BeforeAll
    static void needs() {
        EngineAssumptions.assumeEngine("containerd", "ctr");
    }

    @Test
    void importedImagesRunAPod() throws Exception {
        try (E2eNode node = new E2eNode(work, CriPodsTest.plugins())) {
            CriPluginDir dir = CriPluginDir.create(node.plugins, node.net, work.resolve("cri-cni"));
            NodeSandbox sandbox = node.sandbox();
            Cmd.run("nsenter", "--net=/run/netns/" + node.nodeNetns, "ip", "link", "set", "lo", "up").ok();
            Path home = work.resolve("containerd");
            CriContainerd cri = node.onClose(CriContainerd.startEmpty(sandbox, home, dir.bin(), dir.conf()));
            assertThat(cri.ctr("images", "ls", "-q").ok().out()).doesNotContain("podnet");

            List<OciImage> images = PodnetImages.images();
            List<ContainerdImport.Imported> done;
            try (ContainerdClient c = ContainerdClient.connect(CriContainerd.socket(home), ContainerdClient.CRI_NAMESPACE)) {
                done = ContainerdImport.run(c, images);
                assertThat(done).extracting(ContainerdImport.Imported::blobsWritten).containsExactly(3, 3);

                String ls = cri.ctr("images", "ls").ok().out();
                for (OciImage i : images) {
                    assertThat(ls).as("ctr images ls").containsPattern(i.ref().replace(".", "\\.") + "\\s+application/vnd\\.oci"
                            + "\\.image\\.manifest\\.v1\\+json\\s+" + i.manifest().digest());
                }
                String content = cri.ctr("content", "ls").ok().out();
                OciImage pause = images.get(0);
                assertThat(content.lines().filter(l -> l.startsWith(pause.manifest().digest())).findFirst().orElse(""))
                        .contains(ContainerdImport.GC_CONFIG + "=" + pause.config().digest())
                        .contains(ContainerdImport.GC_LAYER + "0=" + pause.layers().get(0).digest());
                assertThat(cri.ctr("leases", "ls").ok().out()).doesNotContain("podnet-import");

                // A collection now (a lease's synchronous delete runs one) must keep every blob.
                c.createLease("podnet-test-gc", Duration.ofMinutes(1));
                c.deleteLease("podnet-test-gc", true);
                String after = cri.ctr("content", "ls", "-q").ok().out();
                for (OciImage i : images) {
                    for (OciImage.Blob b : i.blobs()) {
                        assertThat(after).as("blob %s of %s after GC", b.digest(), i.ref()).contains(b.digest());
                    }
                }

                assertThat(ContainerdImport.run(c, images)).extracting(ContainerdImport.Imported::blobsWritten)
                        .as("a second import finds every blob").containsExactly(0, 0);
                assertThat(cri.ctr("images", "ls", "-q").ok().out()).contains(PodnetImages.PAUSE, PodnetImages.BUSYBOX);
            }
            assertThat(cri.ctr("snapshots", "ls").ok().out().lines().skip(1).toList()).as("nothing unpacked").isEmpty();

            assertThat(ContainerdImport.awaitCri(cri.client(), List.of(PodnetImages.PAUSE, PodnetImages.BUSYBOX),
                    Duration.ofSeconds(20))).isTrue();
            CriPods pods = new CriPods(work.resolve("state"));
            pods.run(PodSpec.single("web", List.of("sh", "-c", "echo imported > /tmp/x; exec sleep 3600")),
                    new CriPodOptions(CriContainerd.socket(home), null, List.of(), "/" + node.cgroups.name() + "/pods"));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!pods.list("node").get(0).status().equals("Running") && System.nanoTime() < deadline) {
                Pids.sleep(50);
            }
            assertThat(pods.exec("web", null, List.of("cat", "/tmp/x"), 10).getStdout().toStringUtf8()).isEqualTo("imported\n");
            assertThat(cri.ctr("snapshots", "ls").ok().out().lines().skip(1).toList()).as("CRI unpacked on use").isNotEmpty();
            assertThat(pods.remove("web")).isEmpty();
        }
        EngineAssumptions.assertNothingLeft(work);
    }
}
