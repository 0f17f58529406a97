package podnet.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import podnet.cri.CriClient;
import podnet.cri.CriException;
import podnet.cri.containerd.ContainerdClient;
import podnet.node.image.ContainerdImport;
import podnet.node.image.ImageException;
import podnet.node.image.OciImage;
import podnet.node.image.PodnetImages;

/** {@code podnet image}: podnet's pause and busybox images, built without a registry. */
@Command(name = "image", description = "podnet's container images (pause, busybox) as OCI archives, no registry needed.",
        subcommands = {ImageCommand.Build.class, ImageCommand.Import.class})
final class ImageCommand extends CommandGroup {

    @Command(name = "build", description = "Write pause.tar and busybox.tar (OCI image layouts) into DIR "
            + "(for `ctr -n k8s.io images import FILE`; `podnet image import` needs no files).")
    static final class Build extends CliCommand {
        @Option(names = "--out", paramLabel = "DIR", description = "Where the archives go (default: <state-dir>/images).")
        Path out;

        Build(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            Path dir = out != null ? out : cli.stateDir.resolve("images");
            List<PodnetImages.Built> built;
            try {
                built = PodnetImages.build(dir);
            } catch (ImageException e) {
                throw new CliException(e.getMessage(), e.hint());
            }
            if (cli.json) {
                JsonOutput.print(cli.out, built.stream().map(b -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("image", b.ref());
                    m.put("archive", b.archive().toString());
                    m.put("bytes", b.bytes());
                    return m;
                }).toList());
                return 0;
            }
            Table t = new Table("IMAGE", "ARCHIVE", "SIZE");
            built.forEach(b -> t.row(b.ref(), b.archive().toString(), b.bytes() / 1024 + " KiB"));
            t.print(cli.out);
            return 0;
        }
    }

    /**
     * {@code podnet image import}: the images straight into containerd through its own API
     * (content, images, leases), in CRI's namespace, then waits until CRI lists them.
     */
    @Command(name = "import", description = "Put podnet's pause and busybox images into containerd (namespace k8s.io, "
            + "where its CRI plugin looks) through containerd's API; no archive, no ctr, no registry.")
    static final class Import extends CliCommand {
        @Option(names = "--cri-socket", paramLabel = "PATH", description = "containerd's socket, which serves CRI and its "
                + "own API (default: ${DEFAULT-VALUE}).", defaultValue = "/run/containerd/containerd.sock")
        Path socket;

        @Option(names = "--namespace", paramLabel = "NS", defaultValue = ContainerdClient.CRI_NAMESPACE,
                description = "containerd namespace (default: ${DEFAULT-VALUE}, CRI's).")
        String namespace;

        Import(Cli cli) {
            super(cli);
        }

        @Override
        public Integer call() {
            List<OciImage> images;
            try {
                images = PodnetImages.images();
            } catch (ImageException e) {
                throw new CliException(e.getMessage(), e.hint());
            }
            List<ContainerdImport.Imported> done;
            boolean cri;
            try (ContainerdClient c = ContainerdClient.connect(socket, namespace);
                    CriClient criClient = CriClient.connect(socket)) {
                done = ContainerdImport.run(c, images);
                cri = namespace.equals(ContainerdClient.CRI_NAMESPACE) && ContainerdImport.awaitCri(criClient,
                        done.stream().map(ContainerdImport.Imported::ref).toList(), Duration.ofSeconds(10));
            } catch (CriException e) {
                throw new CliException(e.getMessage(), e.unavailable()
                        ? "start containerd (`systemctl start containerd`, or `containerd --config FILE`; `podnet cri config`"
                          + " writes one), or point --cri-socket at its socket; no containerd? `apt-get install containerd runc`"
                        : "containerd refused (" + e.method() + ", " + e.code() + "); its log says more");
            } catch (ImageException e) {
                throw new CliException(e.getMessage(), e.hint());
            }
            if (cli.json) {
                JsonOutput.print(cli.out, done.stream().map(d -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("image", d.ref());
                    m.put("digest", d.digest());
                    m.put("bytes", d.bytes());
                    m.put("blobsWritten", d.blobsWritten());
                    return m;
                }).toList());
                return 0;
            }
            Table t = new Table("IMAGE", "MANIFEST", "SIZE", "NEW BLOBS");
            done.forEach(d -> t.row(d.ref(), d.digest().substring(0, Math.min(19, d.digest().length())),
                    d.bytes() / 1024 + " KiB", Integer.toString(d.blobsWritten())));
            t.print(cli.out);
            cli.out.println(cri ? "containerd's CRI lists both (sandbox_image = " + PodnetImages.PAUSE + " makes pause the sandboxes')."
                    : "in containerd namespace " + namespace + (namespace.equals(ContainerdClient.CRI_NAMESPACE)
                            ? " (this containerd serves no CRI)" : " (CRI looks in " + ContainerdClient.CRI_NAMESPACE + ")"));
            return 0;
        }
    }
}
